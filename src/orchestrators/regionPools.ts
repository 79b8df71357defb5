import { isAutoScale } from '../domain/poolTemplate/effectivePool';
import type { OrchestrationContext } from 'durable-functions';
import type { EventToPublish } from '../domain/events';
import { waitDeadlines, type PoolRollout } from '../domain/pipeline';
import { allocationDeadlineMs, classifyPool, type PoolReading } from '../domain/poolState';
import { activities, intervalFromProgress, nextInterval, nowMs, publish, sleep } from './steps';
import type { RegionRun } from './regionRun';
import { recreateReplacedPools } from './poolReplacement';
import { shrinkOldPoolsFirst } from './shrinkOldFirst';
import { recheckCapacity } from './capacityRecheck';
import { updatePoolsInPlace } from './inPlaceUpdate';
import { gatePools, type SteadyPool } from './poolGate';
import { pacedAllocation } from './learnedPacing';
import { poolFailedEvent } from './poolEventFields';
import { restoreAfterFailedCreation } from './poolRollback';

/**
 * Creates the region's pools at once and waits for each to allocate. A pool whose creation fails for
 * good is failed on its own (Pool.Failed); the pools that were created are still waited for. Each pool
 * waits at most its resizeTimeout plus a grace period: Batch ends a resize by then.
 */
export function* createAndWaitForPools(context: OrchestrationContext, run: RegionRun) {
  if (run.input.pools.length === 0) return [];
  yield* recheckCapacity(context, run);
  yield* shrinkOldPoolsFirst(context, run);
  yield* updatePoolsInPlace(context, run);
  yield* createPools(context, run);
  const steady = yield* waitForPools(context, run);
  // Steady at its target is not ready yet: a pool is ready once its nodes pass the health gate.
  yield* gatePools(context, run, steady);
  return run.input.pools.map((p) => run.settled.get(p.poolId)!);
}

function* createPools(context: OrchestrationContext, run: RegionRun) {
  const { status } = run;
  // Pools updated in place are settled already: only the others get a new pool.
  const toCreate = run.input.pools.filter((p) => !run.settled.has(p.poolId));
  status.stage = 'creating-pools';
  for (const p of toCreate) run.line(p.poolId).state = 'creating';
  run.showStatus();
  const specs = toCreate.map((p) => ({ account: p.account, spec: p.spec }));
  const created = yield* activities(context).createPool.eachSettled(specs);
  const failures = toCreate.flatMap((pool, i) => {
    const result = created[i]!;
    if (result.ok && result.value !== 'replacing') run.line(pool.poolId).state = 'allocating';
    if (result.ok) return [];
    return [
      { pool, created: false, event: failPool(run, pool, result.error.message, [], [result.error.code]) },
    ];
  });
  run.showStatus();
  yield* publishFailures(context, run, failures);
  // Pools an earlier run of this request made and this run cannot use: deleted, made again once gone.
  const replaced = toCreate.filter((_, i) => {
    const result = created[i]!;
    return result.ok && result.value === 'replacing';
  });
  if (replaced.length === 0) return;
  const more = yield* recreateReplacedPools(context, run, replaced);
  run.showStatus();
  yield* publishFailures(context, run, failuresOf(replaced, more, false));
}

/** Pool.Failed of pools that ended before cutover; an old pool shrunk for one gets its targets back first. */
function* publishFailures(
  context: OrchestrationContext,
  run: RegionRun,
  failures: { pool: PoolRollout; event: EventToPublish; created: boolean }[],
) {
  if (failures.length === 0) return;
  const events = yield* restoreAfterFailedCreation(context, run, failures);
  run.showStatus();
  if (events.length) yield* publish(context, run.sender, events);
}

/** The failure events of `pools`, each with its pool. */
function failuresOf(pools: PoolRollout[], events: EventToPublish[], created: boolean) {
  return events.map((event) => {
    const poolId = (event.data as { poolId?: string }).poolId;
    return { pool: pools.find((p) => p.poolId === poolId)!, event, created };
  });
}

/** Reads every pool still allocating until each is steady or failed; the last pool's deadline bounds it. */
function* waitForPools(context: OrchestrationContext, run: RegionRun) {
  const steady: SteadyPool[] = [];
  const { settings } = run.input;
  const startedAt = nowMs(context);
  const { allocationGraceMs } = waitDeadlines(settings);
  let pending = run.input.pools.filter((p) => !run.settled.has(p.poolId));
  // A read at or past a pool's deadline settles it, so no pool is left pending when this passes.
  const deadline =
    startedAt + Math.max(0, ...pending.map((p) => allocationDeadlineMs(p.spec, allocationGraceMs)));
  const paced = (builtIn: number) => pacedAllocation(run.input, startedAt, nowMs(context), builtIn, deadline);
  let interval = paced(settings.pollMinMs);
  while (pending.length > 0 && nowMs(context) < deadline) {
    yield* sleep(context, interval);
    const answers = yield* activities(context).getPool.each(
      pending.map((p) => ({ account: p.account, poolId: p.poolId })),
    );
    const elapsed = nowMs(context) - startedAt;
    const changed = pending.map((pool, i) => record(run, pool, answers[i] ?? null)).some(Boolean);
    const events = pending.flatMap((pool, i) =>
      settle(run, pool, answers[i] ?? null, elapsed, allocationGraceMs, steady),
    );
    run.showStatus();
    yield* publishFailures(context, run, failuresOf(pending, events, true));
    pending = pending.filter((p) => !run.settled.has(p.poolId) && !steady.some((s) => s.pool === p));
    interval = paced(nextPoll(run, pending, interval, changed, elapsed));
  }
  return steady;
}

/** Puts a reading on the pool's status line; true when it moved. */
function record(run: RegionRun, pool: PoolRollout, reading: PoolReading | null): boolean {
  if (!reading) return false;
  const line = run.line(pool.poolId);
  const current = reading.currentDedicatedNodes + reading.currentLowPriorityNodes;
  const moved = current !== line.currentNodes || reading.allocationState !== line.allocationState;
  Object.assign(line, { allocationState: reading.allocationState, currentNodes: current });
  return moved;
}

/** Fails a pool whose reading says failed (its events); one steady at its target goes to the gate. */
function settle(
  run: RegionRun,
  pool: PoolRollout,
  reading: PoolReading | null,
  elapsedMs: number,
  graceMs: number,
  steady: SteadyPool[],
): EventToPublish[] {
  const target = { ...pool.spec, autoScale: isAutoScale(pool.spec.template) };
  const verdict = classifyPool(target, reading, elapsedMs, graceMs);
  if (verdict.kind === 'failed') {
    const codes = verdict.resizeErrors.map((e) => e.code);
    return [failPool(run, pool, verdict.reason, verdict.resizeErrors, codes)];
  }
  if (verdict.kind === 'allocating' || !reading) return [];
  run.line(pool.poolId).state = 'gating';
  steady.push({ pool, reading });
  return [];
}

/** Settles a pool as failed (its outcome stands from now on); its Pool.Failed event. */
export function failPool(
  run: RegionRun,
  pool: PoolRollout,
  reason: string,
  resizeErrors: PoolReading['resizeErrors'] = [],
  errorCodes: string[] = [],
): EventToPublish {
  const line = errorCodes.length ? { errors: errorCodes } : {};
  return poolFailedEvent(run, pool, reason, line, {
    resizeErrors,
    disposition: 'kept-for-inspection',
    fix: `The pool is kept as it is for inspection and its nodes still cost: resubmit the same requestId to delete and re-create it, or delete pool ${pool.poolId} yourself.`,
  });
}

/** Paces by the slowest pool still allocating. */
function nextPoll(
  run: RegionRun,
  pending: PoolRollout[],
  interval: number,
  changed: boolean,
  elapsed: number,
) {
  const { pollMinMs, pollMaxMs } = run.input.settings;
  const lines = pending.map((p) => run.line(p.poolId));
  const progress = lines.length
    ? Math.min(...lines.map((l) => (l.targetNodes ? (100 * l.currentNodes) / l.targetNodes : 100)))
    : 100;
  const backoff = nextInterval(interval, changed, pollMinMs, pollMaxMs);
  return intervalFromProgress(progress, elapsed, backoff, pollMinMs, pollMaxMs);
}
