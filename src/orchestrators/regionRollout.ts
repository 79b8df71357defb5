import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import type { PoolOutcome, PoolRollout, RegionOutcome, RegionRolloutInput } from '../domain/pipeline';
import { asStepError, nowIso, publish } from './steps';
import { createAndWaitForPools, failPool } from './regionPools';
import { retireReplacedPools } from './poolRetirement';
import { smokeTestPools } from './poolSmokeTest';
import { startRegionRun, type RegionRun } from './regionRun';
import { waitForReplication } from './regionReplication';
import { holdCutover } from './waveHold';
import { restoreAfterFailedCreation } from './poolRollback';

export type { RegionStatus } from './regionStatus';

/**
 * One region of a rollout: wait for this region's replication (durable timers, backoff, retry of the
 * region alone on failure or stall), then create its pools at once, wait for them, and retire the
 * pools they replace. It never waits for other regions and never throws: it reports an outcome.
 */
export const regionRollout: OrchestrationHandler = function* (context: OrchestrationContext) {
  const run = startRegionRun(context, context.df.getInput() as RegionRolloutInput);
  run.showStatus();
  try {
    return yield* rollOutRegion(context, run);
  } catch (error) {
    return yield* failLate(context, run, asStepError('regionRollout', error).message);
  }
};

function* rollOutRegion(context: OrchestrationContext, run: RegionRun) {
  const { input, status, owner } = run;
  const replicated = yield* waitForReplication(context, run);
  if (!replicated.ok) return yield* regionFailed(context, run, replicated.reason);
  status.stage = 'replicated';
  run.timeline.replicatedAt = nowIso(context);
  run.showStatus();
  const replicaCount = input.targetRegions.find((r) => r.name === input.region)?.replicaCount ?? 1;
  yield* publish(context, run.sender, [
    {
      type: EVENT_TYPES.regionReplicated,
      subject: `${input.versionId}/regions/${input.region}`,
      data: {
        ...owner,
        imageVersionId: input.versionId,
        region: input.region,
        replicaCount,
        attempts: status.replication.attempts,
        replicatedAt: nowIso(context),
      },
    },
  ]);
  if (input.holdCutover !== undefined) return holdCutover(run, input.holdCutover);
  const created = yield* createAndWaitForPools(context, run);
  const pools = yield* smokeTestPools(context, run, created);
  run.timeline.poolsReadyAt = nowIso(context);
  status.stage = 'retiring';
  run.showStatus();
  const problems = yield* retireReplacedPools(context, run, pools);
  if (nowIso(context) !== run.timeline.poolsReadyAt) run.timeline.retiredAt = nowIso(context);
  status.stage = problems.length ? 'failed' : 'done';
  if (problems.length) status.reason = problems.join('; ');
  run.showStatus();
  return { ...outcome(run, true, pools), ...(problems.length ? { problems } : {}) };
}

/** The region never replicated: Region.Failed, and its pools skipped. */
function* regionFailed(context: OrchestrationContext, run: RegionRun, reason: string) {
  const { input, status, owner } = run;
  status.stage = 'failed';
  status.reason = reason;
  run.showStatus();
  yield* publish(context, run.sender, [
    {
      type: EVENT_TYPES.regionFailed,
      subject: `${input.versionId}/regions/${input.region}`,
      data: {
        ...owner,
        imageVersionId: input.versionId,
        region: input.region,
        reason,
        attempts: status.replication.attempts,
        poolsSkipped: input.pools.map((p) => p.poolId),
      },
    },
  ]);
  const skipped = `region ${input.region} did not replicate`;
  const pools = input.pools.map((p): PoolOutcome => ({
    poolId: p.poolId,
    accountId: p.account.id,
    state: 'skipped',
    reason: skipped,
  }));
  return outcome(run, false, pools, reason);
}

/**
 * A late failure: pools already settled keep their outcome (a pool published Ready stays ready); the
 * rest fail with this reason, and the failure is a problem of the region even if every pool was ready.
 */
function* failLate(context: OrchestrationContext, run: RegionRun, reason: string) {
  const { input, status, settled } = run;
  status.stage = 'failed';
  status.reason = reason;
  const failed = input.pools
    .filter((p) => !settled.has(p.poolId))
    .map((pool) => ({
      pool,
      created: wasCreated(run, pool) || ('unknown' as const),
      event: failPool(run, pool, reason),
    }));
  run.showStatus();
  let events = failed.map((f) => f.event);
  try {
    // A pool that ends here ends before cutover too: an old pool shrunk for it gets its targets back.
    // Typed by what it returns: its inferred input type, joined with the rollout's, is too complex for tsc.
    const restoring = restoreAfterFailedCreation(context, run, failed) as Generator<
      Task,
      EventToPublish[],
      unknown
    >;
    events = yield* restoring;
  } catch {
    // Batch may be what failed: the Pool.Failed events below still report every pool.
  }
  try {
    if (events.length) yield* publish(context, run.sender, events);
  } catch {
    // Publishing is what may have failed: the outcome below still reports every pool.
  }
  const pools = input.pools.map((p) => settled.get(p.poolId)!);
  return { ...outcome(run, status.replication.state === 'Completed', pools, reason), problems: [reason] };
}

/**
 * The line proves the request's pool exists in Batch (its PUT succeeded): a rollback deletes it before
 * any restore. Otherwise it may still exist (a PUT whose answer was lost): the restore reads it first.
 */
function wasCreated(run: RegionRun, pool: PoolRollout): boolean {
  const state = run.line(pool.poolId).state;
  return ['allocating', 'gating', 'smoke-testing'].includes(state) || state.startsWith('rolling back');
}

function outcome(run: RegionRun, replicated: boolean, pools: PoolOutcome[], reason?: string): RegionOutcome {
  const { region } = run.input;
  return {
    region,
    replicated,
    attempts: run.status.replication.attempts,
    pools,
    ...(reason ? { reason } : {}),
    timeline: run.timeline,
  };
}
