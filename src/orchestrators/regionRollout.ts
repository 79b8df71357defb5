import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { ACTIVITIES } from '../activities/names';
import { EVENT_TYPES } from '../domain/events';
import type { PoolOutcome, PoolRollout, RegionOutcome, RegionRolloutInput } from '../domain/pipeline';
import type { PoolStatus, VersionReplication } from '../ports';
import {
  asStepError,
  intervalFromProgress,
  nextInterval,
  nowIso,
  publish,
  sleep,
  step,
  steps,
  type EventSpec,
} from './steps';
import { updateTargetRegionsWhenIdle } from './versionWrites';

/** What `GET /api/builds/{id}` shows for a region: enough to draw a progress bar and a line per pool. */
export interface RegionStatus {
  region: string;
  stage: 'replicating' | 'retrying' | 'replicated' | 'creating-pools' | 'retiring' | 'done' | 'failed';
  replication: { state: string; progress: number; attempts: number; details?: string };
  pools: {
    poolId: string;
    state: string;
    allocationState?: string;
    currentNodes: number;
    targetNodes: number;
    errors?: string[];
  }[];
  updatedAt: string;
  reason?: string;
}

/**
 * One region of a rollout: wait for this region's replication (durable timers, backoff, retry of the
 * region alone on failure or stall), then create its pools at once, wait for them, and retire the
 * pools they replace. It never waits for other regions and never throws: it reports an outcome.
 */
export const regionRollout: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RegionRolloutInput;
  const owner = { instanceId: input.ownerInstanceId, requestId: input.requestId };
  const status: RegionStatus = {
    region: input.region,
    stage: 'replicating',
    replication: { state: 'Unknown', progress: 0, attempts: 1 },
    pools: input.pools.map((p) => ({
      poolId: p.poolId,
      state: 'waiting',
      currentNodes: 0,
      targetNodes: p.spec.targetDedicatedNodes + p.spec.targetLowPriorityNodes,
    })),
    updatedAt: nowIso(context),
  };
  const report = () => {
    status.updatedAt = nowIso(context);
    context.df.setCustomStatus(status);
  };
  report();

  try {
    const replicated = yield* waitForReplication(context, input, status, report);
    if (!replicated.ok) {
      status.stage = 'failed';
      status.reason = replicated.reason;
      report();
      yield* publish(context, owner, [
        {
          type: EVENT_TYPES.regionFailed,
          subject: `${input.versionId}/regions/${input.region}`,
          data: {
            ...owner,
            imageVersionId: input.versionId,
            region: input.region,
            reason: replicated.reason,
            attempts: status.replication.attempts,
            poolsSkipped: input.pools.map((p) => p.poolId),
          },
        },
      ]);
      return outcome(
        input,
        false,
        status.replication.attempts,
        input.pools.map((p) => ({
          poolId: p.poolId,
          accountId: p.account.id,
          state: 'skipped',
          reason: `region ${input.region} did not replicate`,
        })),
        replicated.reason,
      );
    }
    status.stage = 'replicated';
    report();
    const replicaCount = input.targetRegions.find((r) => r.name === input.region)?.replicaCount ?? 1;
    yield* publish(context, owner, [
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

    const pools = yield* createAndWaitForPools(context, input, status, report);
    status.stage = 'retiring';
    report();
    yield* retireReplacedPools(context, input, pools, status, report);
    status.stage = 'done';
    report();
    return outcome(input, true, status.replication.attempts, pools);
  } catch (error) {
    const failure = asStepError('regionRollout', error);
    status.stage = 'failed';
    status.reason = failure.message;
    report();
    return outcome(
      input,
      status.replication.state === 'Completed',
      status.replication.attempts,
      input.pools.map((p) => ({
        poolId: p.poolId,
        accountId: p.account.id,
        state: 'failed',
        reason: failure.message,
      })),
      failure.message,
    );
  }
};

function outcome(
  input: RegionRolloutInput,
  replicated: boolean,
  attempts: number,
  pools: PoolOutcome[],
  reason?: string,
): RegionOutcome {
  return { region: input.region, replicated, attempts, pools, ...(reason ? { reason } : {}) };
}

function* waitForReplication(
  context: OrchestrationContext,
  input: RegionRolloutInput,
  status: RegionStatus,
  report: () => void,
) {
  const { pollMinMs, pollMaxMs, regionStallLimitMs, regionRetryLimit } = input.settings;
  let interval = pollMinMs;
  let lastProgress = -1;
  let lastChangeAt = context.df.currentUtcDateTime.getTime();
  let attemptStartedAt = lastChangeAt;
  for (;;) {
    const replication = yield* step<VersionReplication>(context, ACTIVITIES.getReplication, {
      versionId: input.versionId,
    });
    if (replication.provisioningState === 'NotFound')
      return { ok: false as const, reason: `image version ${input.versionId} no longer exists` };
    const mine = replication.regions.find((r) => r.region === input.region);
    const state = mine?.state ?? 'Unknown';
    const progress = mine?.progress ?? 0;
    const now = context.df.currentUtcDateTime.getTime();
    status.replication = {
      ...status.replication,
      state,
      progress,
      ...(mine?.details ? { details: mine.details } : {}),
    };
    if (state === 'Completed') {
      report();
      return { ok: true as const };
    }
    const stalled = state !== 'Failed' && now - lastChangeAt >= regionStallLimitMs;
    if (state === 'Failed' || stalled) {
      const why =
        state === 'Failed'
          ? `replication failed: ${mine?.details || 'no details from Azure'}`
          : `no replication progress for ${Math.round(regionStallLimitMs / 60_000)} minutes`;
      if (status.replication.attempts > regionRetryLimit) {
        report();
        return { ok: false as const, reason: `${why} (after ${status.replication.attempts} attempts)` };
      }
      // Re-request this region only: the same target regions again restart just the failed one.
      status.replication.attempts += 1;
      status.stage = 'retrying';
      report();
      yield* updateTargetRegionsWhenIdle(
        context,
        { versionId: input.versionId, targetRegions: input.targetRegions },
        input.settings,
      );
      status.stage = 'replicating';
      // The update may have waited (durably) for the version to stop Creating/Updating: count from now.
      lastChangeAt = context.df.currentUtcDateTime.getTime();
      attemptStartedAt = lastChangeAt;
      lastProgress = -1;
      interval = pollMinMs;
    } else {
      const changed = progress !== lastProgress;
      if (changed) {
        lastProgress = progress;
        lastChangeAt = now;
      }
      interval = intervalFromProgress(
        progress,
        now - attemptStartedAt,
        nextInterval(interval, changed, pollMinMs, pollMaxMs),
        pollMinMs,
        pollMaxMs,
      );
      report();
    }
    yield* sleep(context, interval);
  }
}

function* createAndWaitForPools(
  context: OrchestrationContext,
  input: RegionRolloutInput,
  status: RegionStatus,
  report: () => void,
) {
  const owner = { instanceId: input.ownerInstanceId, requestId: input.requestId };
  if (input.pools.length === 0) return [];
  status.stage = 'creating-pools';
  for (const p of status.pools) p.state = 'creating';
  report();
  yield* steps(
    context,
    ACTIVITIES.createPool,
    input.pools.map((p) => ({ account: p.account, spec: p.spec })),
  );
  for (const p of status.pools) p.state = 'allocating';
  report();

  const results = new Map<string, PoolOutcome>();
  const allocationStartedAt = context.df.currentUtcDateTime.getTime();
  let interval = input.settings.pollMinMs;
  let pending: PoolRollout[] = input.pools;
  while (pending.length > 0) {
    yield* sleep(context, interval);
    const answers = yield* steps<PoolStatus | null>(
      context,
      ACTIVITIES.getPool,
      pending.map((p) => ({ account: p.account, poolId: p.poolId })),
    );
    const events: EventSpec[] = [];
    let changed = false;
    pending.forEach((pool, i) => {
      const answer = answers[i] ?? null;
      const line = status.pools.find((s) => s.poolId === pool.poolId)!;
      const target = pool.spec.targetDedicatedNodes + pool.spec.targetLowPriorityNodes;
      if (!answer) {
        results.set(pool.poolId, {
          poolId: pool.poolId,
          accountId: pool.account.id,
          state: 'failed',
          reason: 'the pool disappeared while allocating',
        });
        return;
      }
      const current = answer.currentDedicatedNodes + answer.currentLowPriorityNodes;
      changed ||= current !== line.currentNodes || answer.allocationState !== line.allocationState;
      Object.assign(line, { allocationState: answer.allocationState, currentNodes: current });
      if (answer.allocationState !== 'steady') return;
      if (answer.resizeErrors.length === 0 && current >= target) {
        line.state = 'ready';
        results.set(pool.poolId, { poolId: pool.poolId, accountId: pool.account.id, state: 'ready' });
        events.push({
          type: EVENT_TYPES.poolReady,
          subject: `${pool.account.id}/pools/${pool.poolId}`,
          data: {
            ...owner,
            accountId: pool.account.id,
            poolId: pool.poolId,
            region: input.region,
            imageVersionId: input.versionId,
            currentDedicatedNodes: answer.currentDedicatedNodes,
            currentLowPriorityNodes: answer.currentLowPriorityNodes,
          },
        });
      } else {
        const reason = answer.resizeErrors.length
          ? answer.resizeErrors.map((e) => `${e.code}: ${e.message}`).join('; ')
          : `allocation stopped at ${current} of ${target} nodes`;
        line.state = 'failed';
        line.errors = answer.resizeErrors.map((e) => e.code);
        results.set(pool.poolId, {
          poolId: pool.poolId,
          accountId: pool.account.id,
          state: 'failed',
          reason,
        });
        events.push({
          type: EVENT_TYPES.poolFailed,
          subject: `${pool.account.id}/pools/${pool.poolId}`,
          data: {
            ...owner,
            accountId: pool.account.id,
            poolId: pool.poolId,
            region: input.region,
            reason,
            resizeErrors: answer.resizeErrors,
          },
        });
      }
    });
    report();
    if (events.length) yield* publish(context, owner, events);
    pending = pending.filter((p) => !results.has(p.poolId));
    // Pace by the slowest pool still allocating.
    const lines = status.pools.filter((l) => pending.some((p) => p.poolId === l.poolId));
    const progress = lines.length
      ? Math.min(...lines.map((l) => (l.targetNodes ? (100 * l.currentNodes) / l.targetNodes : 100)))
      : 100;
    const backoff = nextInterval(interval, changed, input.settings.pollMinMs, input.settings.pollMaxMs);
    interval = intervalFromProgress(
      progress,
      context.df.currentUtcDateTime.getTime() - allocationStartedAt,
      backoff,
      input.settings.pollMinMs,
      input.settings.pollMaxMs,
    );
  }
  return input.pools.map((p) => results.get(p.poolId)!);
}

/** Blue/green: once the new pool is ready, drain the old one to 0 (taskcompletion), then delete it. */
function* retireReplacedPools(
  context: OrchestrationContext,
  input: RegionRolloutInput,
  outcomes: PoolOutcome[],
  status: RegionStatus,
  report: () => void,
) {
  const owner = { instanceId: input.ownerInstanceId, requestId: input.requestId };
  const toRetire = input.pools.filter(
    (p) => p.replaces && outcomes.find((o) => o.poolId === p.poolId)?.state === 'ready',
  );
  if (toRetire.length === 0) return;
  const drains = yield* steps<string>(
    context,
    ACTIVITIES.drainPool,
    toRetire.map((p) => ({ account: p.account, poolId: p.replaces })),
  );
  let draining = toRetire.filter((_, i) => drains[i] !== 'missing');
  let interval = input.settings.pollMinMs;
  while (draining.length > 0) {
    yield* sleep(context, interval);
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
  const retiring = toRetire.filter((_, i) => drains[i] !== 'missing');
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
}
