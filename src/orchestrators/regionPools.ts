import type { OrchestrationContext } from 'durable-functions';
import { ACTIVITIES } from '../activities/names';
import { EVENT_TYPES } from '../domain/events';
import { parseDurationMs } from '../domain/duration';
import {
  waitDeadlines,
  type PoolOutcome,
  type PoolRollout,
  type RegionRolloutInput,
} from '../domain/pipeline';
import type { PoolStatus } from '../ports';
import { isAutoScale } from '../domain/poolTemplate/effectivePool';
import {
  describeMs,
  intervalFromProgress,
  nextInterval,
  nowMs,
  publish,
  settledSteps,
  sleep,
  steps,
  type EventSpec,
} from './steps';
import type { RegionState } from './regionStatus';

/** Batch's default when a pool sets no resizeTimeout. */
const DEFAULT_RESIZE_TIMEOUT_MS = 15 * 60_000;

/**
 * Pool outcomes as they become known. Once a pool is settled its outcome stands, whatever fails later:
 * a pool published Ready stays ready, a pool published Failed stays failed.
 */
export type SettledPools = Map<string, PoolOutcome>;

function poolFailedEvent(
  input: RegionRolloutInput,
  pool: PoolRollout,
  reason: string,
  resizeErrors: PoolStatus['resizeErrors'] = [],
): EventSpec {
  return {
    type: EVENT_TYPES.poolFailed,
    subject: `${pool.account.id}/pools/${pool.poolId}`,
    data: {
      instanceId: input.ownerInstanceId,
      requestId: input.requestId,
      accountId: pool.account.id,
      poolId: pool.poolId,
      region: input.region,
      reason,
      resizeErrors,
    },
  };
}

type Verdict =
  | { kind: 'wait' }
  | { kind: 'ready' }
  | { kind: 'failed'; reason: string; errors?: string[]; resizeErrors?: PoolStatus['resizeErrors'] };

/**
 * What one poll says about one allocating pool. `elapsedMs` is since creation; `deadlinePassed` when the
 * pool is past its resizeTimeout plus the grace period.
 */
function judgeAllocation(
  pool: PoolRollout,
  answer: PoolStatus | null,
  elapsedMs: number,
  deadlinePassed: boolean,
  graceMs: number,
): Verdict {
  if (!answer) return { kind: 'failed', reason: 'the pool disappeared while allocating' };
  const autoScale = autoScaleState(pool, answer);
  if (autoScale.failed)
    return { kind: 'failed', reason: autoScale.failed, errors: [answer.autoScale!.error!.code] };
  // An autoscale pool's targets are what its formula's first evaluation asked for.
  const target = autoScale.enabled
    ? answer.targetDedicatedNodes + answer.targetLowPriorityNodes
    : pool.spec.targetDedicatedNodes + pool.spec.targetLowPriorityNodes;
  const current = answer.currentDedicatedNodes + answer.currentLowPriorityNodes;
  if (answer.allocationState !== 'steady' || autoScale.pending) {
    if (!deadlinePassed) return { kind: 'wait' };
    const reason = autoScale.pending
      ? `its autoscale formula was not evaluated ${describeMs(elapsedMs)} after creation; the pool is left for inspection`
      : `still ${answer.allocationState} at ${current} of ${target} nodes ${describeMs(elapsedMs)} after creation: past its resizeTimeout (${pool.spec.resizeTimeout}) plus ${describeMs(graceMs)}; the pool is left for inspection`;
    return { kind: 'failed', reason };
  }
  if (answer.resizeErrors.length === 0 && current >= target) return { kind: 'ready' };
  const reason = answer.resizeErrors.length
    ? answer.resizeErrors.map((e) => `${e.code}: ${e.message}`).join('; ')
    : `allocation stopped at ${current} of ${target} nodes`;
  return {
    kind: 'failed',
    reason,
    errors: answer.resizeErrors.map((e) => e.code),
    resizeErrors: answer.resizeErrors,
  };
}

function poolReadyEvent(input: RegionRolloutInput, pool: PoolRollout, answer: PoolStatus): EventSpec {
  return {
    type: EVENT_TYPES.poolReady,
    subject: `${pool.account.id}/pools/${pool.poolId}`,
    data: {
      instanceId: input.ownerInstanceId,
      requestId: input.requestId,
      accountId: pool.account.id,
      poolId: pool.poolId,
      region: input.region,
      imageVersionId: input.versionId,
      currentDedicatedNodes: answer.currentDedicatedNodes,
      currentLowPriorityNodes: answer.currentLowPriorityNodes,
    },
  };
}

/** Records a pool as failed: settled for good, its status line failed with the error codes. */
function failer(status: RegionState, settled: SettledPools) {
  return (pool: PoolRollout, reason: string, errors: string[] = []): void => {
    settled.set(pool.poolId, { poolId: pool.poolId, accountId: pool.account.id, state: 'failed', reason });
    Object.assign(
      status.pools.find((s) => s.poolId === pool.poolId)!,
      {
        state: 'failed',
        ...(errors.length ? { errors } : {}),
      },
    );
  };
}

/** Creates the region's pools at once; a pool whose creation fails for good is failed on its own. */
function* createPools(
  context: OrchestrationContext,
  input: RegionRolloutInput,
  status: RegionState,
  report: () => void,
  settled: SettledPools,
) {
  const owner = { instanceId: input.ownerInstanceId, requestId: input.requestId };
  const fail = failer(status, settled);
  status.stage = 'creating-pools';
  for (const p of status.pools) p.state = 'creating';
  report();
  const created = yield* settledSteps(
    context,
    ACTIVITIES.createPool,
    input.pools.map((p) => ({ account: p.account, spec: p.spec })),
  );
  const creationFailures: EventSpec[] = [];
  input.pools.forEach((pool, i) => {
    const result = created[i]!;
    if (result.ok) {
      status.pools.find((s) => s.poolId === pool.poolId)!.state = 'allocating';
      return;
    }
    fail(pool, result.error.message, [result.error.code]);
    creationFailures.push(poolFailedEvent(input, pool, result.error.message));
  });
  report();
  if (creationFailures.length) yield* publish(context, owner, creationFailures);
}

/**
 * Creates the region's pools at once and waits for each to allocate. A pool whose creation fails for
 * good is failed on its own (Pool.Failed); the pools that were created are still waited for. Each pool
 * waits at most its resizeTimeout plus a grace period: Batch ends a resize by then.
 */
export function* createAndWaitForPools(
  context: OrchestrationContext,
  input: RegionRolloutInput,
  status: RegionState,
  report: () => void,
  settled: SettledPools,
) {
  const owner = { instanceId: input.ownerInstanceId, requestId: input.requestId };
  if (input.pools.length === 0) return [];
  const line = (poolId: string) => status.pools.find((s) => s.poolId === poolId)!;
  const fail = failer(status, settled);
  yield* createPools(context, input, status, report, settled);

  const allocationStartedAt = nowMs(context);
  const { allocationGraceMs } = waitDeadlines(input.settings);
  const deadlineOf = (pool: PoolRollout) =>
    allocationStartedAt +
    (parseDurationMs(pool.spec.resizeTimeout) ?? DEFAULT_RESIZE_TIMEOUT_MS) +
    allocationGraceMs;
  let interval = input.settings.pollMinMs;
  let pending: PoolRollout[] = input.pools.filter((p) => !settled.has(p.poolId));
  while (pending.length > 0) {
    yield* sleep(context, interval);
    const answers = yield* steps<PoolStatus | null>(
      context,
      ACTIVITIES.getPool,
      pending.map((p) => ({ account: p.account, poolId: p.poolId })),
    );
    const now = nowMs(context);
    const events: EventSpec[] = [];
    let changed = false;
    pending.forEach((pool, i) => {
      const answer = answers[i] ?? null;
      const l = line(pool.poolId);
      if (answer) {
        const current = answer.currentDedicatedNodes + answer.currentLowPriorityNodes;
        changed ||= current !== l.currentNodes || answer.allocationState !== l.allocationState;
        Object.assign(l, { allocationState: answer.allocationState, currentNodes: current });
      }
      const verdict = judgeAllocation(
        pool,
        answer,
        now - allocationStartedAt,
        now >= deadlineOf(pool),
        allocationGraceMs,
      );
      if (verdict.kind === 'ready') {
        l.state = 'ready';
        settled.set(pool.poolId, { poolId: pool.poolId, accountId: pool.account.id, state: 'ready' });
        events.push(poolReadyEvent(input, pool, answer!));
      } else if (verdict.kind === 'failed') {
        fail(pool, verdict.reason, verdict.errors);
        events.push(poolFailedEvent(input, pool, verdict.reason, verdict.resizeErrors));
      }
    });
    report();
    if (events.length) yield* publish(context, owner, events);
    pending = pending.filter((p) => !settled.has(p.poolId));
    // Pace by the slowest pool still allocating.
    const lines = status.pools.filter((l) => pending.some((p) => p.poolId === l.poolId));
    const progress = lines.length
      ? Math.min(...lines.map((l) => (l.targetNodes ? (100 * l.currentNodes) / l.targetNodes : 100)))
      : 100;
    const backoff = nextInterval(interval, changed, input.settings.pollMinMs, input.settings.pollMaxMs);
    interval = intervalFromProgress(
      progress,
      now - allocationStartedAt,
      backoff,
      input.settings.pollMinMs,
      input.settings.pollMaxMs,
    );
  }
  return input.pools.map((p) => settled.get(p.poolId)!);
}

/**
 * An autoscale pool is ready once its formula is applied and the first evaluation succeeded (then its
 * allocation settles like any pool's); a failed evaluation fails the pool with Batch's error.
 */
function autoScaleState(
  pool: PoolRollout,
  answer: PoolStatus,
): { enabled: boolean; pending?: boolean; failed?: string } {
  if (!isAutoScale(pool.spec.template)) return { enabled: false };
  const run = answer.autoScale;
  if (run?.error)
    return { enabled: true, failed: `autoscale evaluation failed: ${run.error.code}: ${run.error.message}` };
  return { enabled: true, pending: !run?.lastRunAt };
}

/**
 * Blue/green: once the new pool is ready, drain the old one to 0 (taskcompletion), then delete it.
 * Draining waits at most the drain deadline; an old pool still draining then is left in place (not
 * deleted) and reported as a problem of the region.
 */
export function* retireReplacedPools(
  context: OrchestrationContext,
  input: RegionRolloutInput,
  outcomes: PoolOutcome[],
  status: RegionState,
  report: () => void,
) {
  const owner = { instanceId: input.ownerInstanceId, requestId: input.requestId };
  const toRetire = input.pools.filter(
    (p) => p.replaces && outcomes.find((o) => o.poolId === p.poolId)?.state === 'ready',
  );
  if (toRetire.length === 0) return [];
  const drains = yield* steps<string>(
    context,
    ACTIVITIES.drainPool,
    toRetire.map((p) => ({ account: p.account, poolId: p.replaces })),
  );
  const present = toRetire.filter((_, i) => drains[i] !== 'missing');
  const { drainMs } = waitDeadlines(input.settings);
  const deadline = nowMs(context) + drainMs;
  let draining = present;
  let interval = input.settings.pollMinMs;
  while (draining.length > 0 && nowMs(context) < deadline) {
    yield* sleep(context, Math.min(interval, Math.max(1_000, deadline - nowMs(context))));
    const answers = yield* steps<PoolStatus | null>(
      context,
      ACTIVITIES.getPool,
      draining.map((p) => ({ account: p.account, poolId: p.replaces })),
    );
    draining = draining.filter((_, i) => {
      const a = answers[i];
      return (
        a !== null &&
        a !== undefined &&
        !(a.allocationState === 'steady' && a.currentDedicatedNodes + a.currentLowPriorityNodes === 0)
      );
    });
    interval = nextInterval(interval, false, input.settings.pollMinMs, input.settings.pollMaxMs);
  }
  const problems = draining.map(
    (p) =>
      `pool ${p.replaces} (replaced by ${p.poolId}) was still draining after ${describeMs(drainMs)}; it was left in place, not deleted`,
  );
  const retiring = present.filter((p) => !draining.includes(p));
  yield* steps(
    context,
    ACTIVITIES.deletePool,
    retiring.map((p) => ({ account: p.account, poolId: p.replaces })),
  );
  for (const p of retiring) {
    const result = outcomes.find((o) => o.poolId === p.poolId)!;
    result.retired = p.replaces;
    const line = status.pools.find((s) => s.poolId === p.poolId)!;
    line.state = `ready (replaced ${p.replaces})`;
  }
  report();
  if (retiring.length > 0) {
    yield* publish(
      context,
      owner,
      retiring.map((p) => ({
        type: EVENT_TYPES.poolRetired,
        subject: `${p.account.id}/pools/${p.replaces}`,
        data: { ...owner, accountId: p.account.id, poolId: p.replaces!, replacedBy: p.poolId },
      })),
    );
  }
  return problems;
}
