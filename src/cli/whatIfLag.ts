import type { StepLag } from '../local/whatIf/run';
import type { Timeline } from '../domain/timings/timeline';

/**
 * What the fast clock did to a what-if. Every activity and orchestration step takes real milliseconds
 * while simulated time runs on, so each wait and poll on a region's path grows by one step's lag. A
 * region's path is about its share of the activities long (measured: 120 activities for 3 regions
 * at 10.7 simulated s a step made 94 min of an 84-min prediction at 600×): the estimate is that share
 * times the lag, and a run whose estimate passes DISTORTED_SHARE of the makespan says it is distorted.
 */
const DISTORTED_SHARE = 0.1;

export function describeLag(
  lag: StepLag,
  speed: number,
  timeline: Pick<Timeline, 'lanes' | 'makespanMs'>,
): { text: string; distorted: boolean; estimatedMinutes: number } {
  const perRegion = lag.activities / Math.max(1, timeline.lanes.length);
  const estimatedMinutes = +((perRegion * lag.simulatedSecondsPerStep) / 60).toFixed(1);
  const share = timeline.makespanMs > 0 ? (estimatedMinutes * 60_000) / timeline.makespanMs : 0;
  const distorted = share > DISTORTED_SHARE;
  const line = `Host step lag: ${lag.meanStepMs} ms per orchestration step (${lag.steps}) and ${lag.meanActivityMs} ms per activity (${lag.activities}), ${lag.simulatedSecondsPerStep} simulated s a step at ${speed}×: about ${estimatedMinutes} min of the makespan (${Math.round(share * 100)} %).`;
  const warning = distorted
    ? ` The prediction is distorted (over ${DISTORTED_SHARE * 100} %): run again with a lower --speed.`
    : '';
  return { text: `${line}${warning}\n`, distorted, estimatedMinutes };
}
