import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { EVENT_TYPES, type EventData, type EventToPublish } from '../domain/events';
import type { WAVE_EVENT_TYPES } from '../domain/cutover/waveEvents';
import type { RegionOutcome } from '../domain/pipeline';
import {
  APPROVAL_EVENT,
  approvalTarget,
  nextWaveStep,
  regionsByWave,
  waveLines,
  type Wave,
  type WaveLine,
} from '../domain/cutover/waves';
import { describeMs, nowIso, nowMs, publish, sleep } from './steps';
import { fanOutRegions, type Rollout } from './regionFanOut';
import { summarizeRollout } from './rolloutOutcome';
import type { PipelineRun } from './pipelineRun';

/** What an approval carries (POST /api/builds/{id}/approve). */
export interface ApprovalData {
  wave?: number;
  approvedBy?: string;
  comment?: string;
}

/**
 * The rollout in waves. Each wave is one fan-out of region children, started when the decision in
 * src/domain/cutover/waves.ts says so; a failed wave's successors still run their children, told to
 * hold their pools (they watch replication and touch no pool).
 *
 * Why successive fan-outs, not one child per region gated by a `wave-go` event or a Task.any loop over
 * children: durable-functions 3.x records a compound task's child actions again each time a new
 * Task.any/Task.all holds them, so re-waiting on children already started would start them twice, and
 * raising events between instances needs an activity per region and wave. Replication still starts
 * everywhere at once — the version's PUT names every region and Azure replicates them together — and a
 * later wave's child usually finds its region replicated on its first read. What waits is the watching
 * (and a retry of a failed region) of later waves: documented in docs/cutover.md.
 */
export function* rollOutInWaves(
  context: OrchestrationContext,
  run: PipelineRun,
  rollout: Rollout,
  regions: string[],
  waves: Wave[],
) {
  const lines = waveLines(waves, regionsByWave(waves, regions));
  run.status.waves = lines;
  run.showStatus();
  const outcomes: RegionOutcome[] = [];
  for (let step = nextWaveStep(lines); step.kind !== 'done'; step = nextWaveStep(lines)) {
    const line = lines[step.wave - 1]!;
    if (step.kind === 'await-approval') {
      yield* awaitApproval(context, run, rollout, lines, line, waves[step.wave - 1]!);
      if (line.state === 'failed') {
        outcomes.push(...(yield* fanOutRegions(context, rollout, line.regions, line.reason)));
        yield* publishWaveFailed(context, run, rollout, lines, line);
      }
    } else if (step.kind === 'skip') {
      line.state = 'skipped';
      line.reason = step.reason;
      run.showStatus();
      outcomes.push(...(yield* fanOutRegions(context, rollout, line.regions, step.reason)));
    } else {
      outcomes.push(...(yield* runWave(context, run, rollout, lines, line)));
    }
    run.showStatus();
  }
  const failed = lines.find((l) => l.state === 'failed');
  const later = lines.filter((l) => failed && l.wave > failed.wave).map((l) => l.wave);
  const failure = failed
    ? `wave ${failed.wave} (${failed.regions.join(', ')}) failed: ${failed.reason}` +
      (later.length ? `; wave(s) ${later.join(', ')} were not cut over (no pool created or retired)` : '')
    : undefined;
  return { outcomes, failure };
}

/** One wave: its regions cut over at once; passed when every one of them delivered, then its soak. */
function* runWave(
  context: OrchestrationContext,
  run: PipelineRun,
  rollout: Rollout,
  lines: WaveLine[],
  line: WaveLine,
) {
  line.state = 'running';
  run.showStatus();
  yield* publishWave(context, run, rollout, line, {
    type: EVENT_TYPES.waveStarted,
    extra: { startedAt: nowIso(context) },
  });
  const outcomes = yield* fanOutRegions(context, rollout, line.regions);
  const { summary, shortfall } = summarizeRollout(outcomes);
  if (shortfall !== undefined) {
    line.state = 'failed';
    line.reason = shortfall;
    yield* publishWaveFailed(context, run, rollout, lines, line);
    return outcomes;
  }
  const soakMs = line.soakMinutes * 60_000;
  const soakUntil = soakMs > 0 ? new Date(nowMs(context) + soakMs).toISOString() : undefined;
  if (soakUntil) Object.assign(line, { state: 'soaking', soakUntil });
  run.showStatus();
  yield* publishWave(context, run, rollout, line, {
    type: EVENT_TYPES.wavePassed,
    extra: { poolsReady: summary.poolsReady, ...(soakUntil ? { soakUntil } : {}) },
  });
  if (soakMs > 0) yield* sleep(context, soakMs);
  line.state = 'passed';
  return outcomes;
}

/**
 * Holds a wave until it is approved, at most its approval timeout. Approvals are external events on the
 * pipeline: one raised early (for this wave or a later one) waits in the instance's history until read
 * here, so none is lost; each is booked to the wave approvalTarget names.
 */
function* awaitApproval(
  context: OrchestrationContext,
  run: PipelineRun,
  rollout: Rollout,
  lines: WaveLine[],
  line: WaveLine,
  wave: Wave,
) {
  const timeoutMs = wave.approvalTimeoutMinutes * 60_000;
  const deadline = new Date(nowMs(context) + timeoutMs);
  Object.assign(line, { state: 'awaiting-approval', awaitingApprovalSince: nowIso(context) });
  run.showStatus();
  yield* publishWave(context, run, rollout, line, {
    type: EVENT_TYPES.waveAwaitingApproval,
    extra: {
      since: line.awaitingApprovalSince!,
      timeoutAt: deadline.toISOString(),
      approve: `bif approve ${run.request.requestId} --wave ${line.wave}`,
    },
  });
  while (!line.approvedAt) {
    // A fresh event task and timer each round: a task already waited on must not be yielded again.
    const approval = context.df.waitForExternalEvent(APPROVAL_EVENT);
    const timer: TimerTask = context.df.createTimer(deadline);
    const winner = (yield context.df.Task.any([approval, timer as Task])) as unknown;
    if (winner !== approval) {
      line.state = 'failed';
      line.reason = `no approval came within ${describeMs(timeoutMs)} (waves[${line.wave - 1}].approvalTimeoutMinutes); submit the request again to retry the rollout`;
      return;
    }
    timer.cancel();
    yield* bookApproval(context, run, rollout, lines, approval.result as ApprovalData);
  }
  line.state = 'pending';
  run.showStatus();
}

/** Books one approval to its wave (an approval no wave can take is dropped) and tells Wave.Approved. */
function* bookApproval(
  context: OrchestrationContext,
  run: PipelineRun,
  rollout: Rollout,
  lines: WaveLine[],
  data: ApprovalData | undefined,
) {
  const target = approvalTarget(lines, typeof data?.wave === 'number' ? data.wave : undefined);
  if (!target.ok) return;
  const line = lines[target.wave - 1]!;
  const approvedBy = typeof data?.approvedBy === 'string' ? data.approvedBy.slice(0, 200) : undefined;
  const comment = typeof data?.comment === 'string' ? data.comment.slice(0, 1000) : undefined;
  Object.assign(line, { approvedAt: nowIso(context), ...(approvedBy ? { approvedBy } : {}) });
  run.showStatus();
  yield* publishWave(context, run, rollout, line, {
    type: EVENT_TYPES.waveApproved,
    extra: {
      approvedAt: line.approvedAt!,
      ...(approvedBy ? { approvedBy } : {}),
      ...(comment ? { comment } : {}),
    },
  });
}

function* publishWaveFailed(
  context: OrchestrationContext,
  run: PipelineRun,
  rollout: Rollout,
  lines: WaveLine[],
  line: WaveLine,
) {
  const stopped = lines.filter((l) => l.wave > line.wave);
  run.showStatus();
  yield* publishWave(context, run, rollout, line, {
    type: EVENT_TYPES.waveFailed,
    extra: {
      reason: line.reason ?? 'failed',
      wavesStopped: stopped.map((l) => l.wave),
      regionsStopped: stopped.flatMap((l) => l.regions),
    },
  });
}

type WaveEventType = (typeof WAVE_EVENT_TYPES)[keyof typeof WAVE_EVENT_TYPES];
type WaveBase = 'instanceId' | 'requestId' | 'imageVersionId' | 'wave' | 'regions';

/** A wave event: the fields every wave event has, plus its own. */
function* publishWave<T extends WaveEventType>(
  context: OrchestrationContext,
  run: PipelineRun,
  rollout: Rollout,
  line: WaveLine,
  event: { type: T; extra: Omit<EventData<T>, WaveBase> },
) {
  const base = {
    instanceId: run.instanceId,
    requestId: run.request.requestId,
    imageVersionId: rollout.versionId,
    wave: line.wave,
    regions: line.regions,
  };
  const data = { ...base, ...event.extra } as EventData<T>;
  const subject = `${rollout.versionId}/waves/${line.wave}`;
  yield* publish(context, run.publisher, [{ type: event.type, subject, data } as EventToPublish<T>]);
}
