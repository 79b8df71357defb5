import type { OrchestrationContext } from 'durable-functions';
import { waitDeadlines } from '../domain/pipeline';
import { activities, describeMs, nowMs, sleep } from './steps';
import { updateTargetRegionsWhenIdle } from './versionWrites';
import { freshWatch, nextReplicationStep } from './replicationWatch';
import type { RegionRun } from './regionRun';
import { pacedInterval } from './learnedPacing';

export type Replicated = { ok: true } | { ok: false; reason: string };

/**
 * Waits for this region's replication on durable timers, at most the replication deadline; a region
 * that fails or stalls is re-requested alone, up to the retry limit.
 */
export function* waitForReplication(context: OrchestrationContext, run: RegionRun) {
  const { input, status } = run;
  const { replicationMs } = waitDeadlines(input.settings);
  const deadline = nowMs(context) + replicationMs;
  let watch = freshWatch(nowMs(context), input.settings);
  let reading = yield* readRegion(context, run);
  while (reading && reading.state !== 'Completed' && nowMs(context) < deadline) {
    const next = nextReplicationStep(reading, watch, nowMs(context), input.settings);
    if (next.kind === 'retry') {
      const attempts = status.replication.attempts;
      if (attempts > input.settings.regionRetryLimit)
        return giveUp(run, `${next.why} (after ${attempts} attempts)`);
      yield* retryReplication(context, run);
      watch = freshWatch(nowMs(context), input.settings);
    } else {
      watch = { ...next.watch, interval: pacedReplication(run, next.watch.interval, nowMs(context)) };
      run.showStatus();
    }
    yield* sleep(context, watch.interval);
    reading = yield* readRegion(context, run);
  }
  if (!reading) return giveUp(run, `image version ${input.versionId} no longer exists`, false);
  if (reading.state === 'Completed') {
    run.showStatus();
    return { ok: true } as Replicated;
  }
  const { state, progress, attempts } = status.replication;
  const late = `replication did not complete within ${describeMs(replicationMs)} (${state} at ${progress}%, attempt ${attempts})`;
  return giveUp(run, late);
}

/** Reads the version's replication and records this region's part; nothing when the version is gone. */
function* readRegion(context: OrchestrationContext, run: RegionRun) {
  const replication = yield* activities(context).getReplication({ versionId: run.input.versionId });
  if (replication.provisioningState === 'NotFound') return undefined;
  const mine = replication.regions.find((r) => r.region === run.input.region);
  const reading = { state: mine?.state ?? 'Unknown', progress: mine?.progress ?? 0, details: mine?.details };
  run.status.replication = {
    ...run.status.replication,
    state: reading.state,
    progress: reading.progress,
    ...(mine?.details ? { details: mine.details } : {}),
  };
  return reading;
}

/** Re-requests this region only: the same target regions again restart just the failed one. */
function* retryReplication(context: OrchestrationContext, run: RegionRun) {
  const { input, status } = run;
  status.replication.attempts += 1;
  status.stage = 'retrying';
  run.showStatus();
  // The update may wait (durably) for the version to stop Creating/Updating: the new attempt counts from after it.
  yield* updateTargetRegionsWhenIdle(
    context,
    { versionId: input.versionId, targetRegions: input.targetRegions },
    input.settings,
  );
  status.stage = 'replicating';
}

/** The learned expectation paces the first attempt only: a retry starts a copy history did not see. */
function pacedReplication(run: RegionRun, builtIn: number, now: number): number {
  const { expected, settings } = run.input;
  const firstAttempt = run.status.replication.attempts === 1;
  const expectation =
    firstAttempt && expected?.replicationMs
      ? { startedAt: new Date(run.timeline.startedAt).getTime(), expectedMs: expected.replicationMs }
      : undefined;
  // A stall is only noticed on a read: never wait past half the stall limit.
  const longestMs = Math.max(settings.pollMaxMs, settings.regionStallLimitMs / 2);
  return pacedInterval(expectation, now, builtIn, { pollMinMs: settings.pollMinMs, longestMs });
}

function giveUp(run: RegionRun, reason: string, show = true): Replicated {
  if (show) run.showStatus();
  return { ok: false, reason };
}
