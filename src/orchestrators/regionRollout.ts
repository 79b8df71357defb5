import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import {
  waitDeadlines,
  type PoolOutcome,
  type RegionOutcome,
  type RegionRolloutInput,
} from '../domain/pipeline';
import {
  asStepError,
  describeMs,
  intervalFromProgress,
  nextInterval,
  nowIso,
  publish,
  sleep,
  call,
} from './steps';
import { createAndWaitForPools, retireReplacedPools, type SettledPools } from './regionPools';
import { regionStatus, type RegionState } from './regionStatus';
import { updateTargetRegionsWhenIdle } from './versionWrites';

export type { RegionStatus } from './regionStatus';

/**
 * One region of a rollout: wait for this region's replication (durable timers, backoff, retry of the
 * region alone on failure or stall), then create its pools at once, wait for them, and retire the
 * pools they replace. It never waits for other regions and never throws: it reports an outcome.
 */
export const regionRollout: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RegionRolloutInput;
  const owner = { instanceId: input.ownerInstanceId, requestId: input.requestId };
  const status: RegionState = {
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
    context.df.setCustomStatus(regionStatus(status));
  };
  report();
  const settled: SettledPools = new Map();

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

    const pools = yield* createAndWaitForPools(context, input, status, report, settled);
    status.stage = 'retiring';
    report();
    const problems = yield* retireReplacedPools(context, input, pools, status, report);
    status.stage = problems.length ? 'failed' : 'done';
    if (problems.length) status.reason = problems.join('; ');
    report();
    return {
      ...outcome(input, true, status.replication.attempts, pools),
      ...(problems.length ? { problems } : {}),
    };
  } catch (error) {
    // A late failure: pools already settled keep their outcome (a pool published Ready stays ready); the
    // rest fail with this reason, and the failure is a problem of the region even if every pool was ready.
    const failure = asStepError('regionRollout', error);
    status.stage = 'failed';
    status.reason = failure.message;
    const unsettled = input.pools.filter((p) => !settled.has(p.poolId));
    for (const line of status.pools)
      if (unsettled.some((p) => p.poolId === line.poolId)) line.state = 'failed';
    report();
    if (unsettled.length) {
      try {
        yield* publish(
          context,
          owner,
          unsettled.map((p) => ({
            type: EVENT_TYPES.poolFailed,
            subject: `${p.account.id}/pools/${p.poolId}`,
            data: {
              ...owner,
              accountId: p.account.id,
              poolId: p.poolId,
              region: input.region,
              reason: failure.message,
              resizeErrors: [],
            },
          })),
        );
      } catch {
        // Publishing is what may have failed: the outcome below still reports every pool.
      }
    }
    const pools: PoolOutcome[] = input.pools.map(
      (p) =>
        settled.get(p.poolId) ?? {
          poolId: p.poolId,
          accountId: p.account.id,
          state: 'failed',
          reason: failure.message,
        },
    );
    return {
      ...outcome(
        input,
        status.replication.state === 'Completed',
        status.replication.attempts,
        pools,
        failure.message,
      ),
      problems: [failure.message],
    };
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
  status: RegionState,
  report: () => void,
) {
  const { pollMinMs, pollMaxMs, regionStallLimitMs, regionRetryLimit } = input.settings;
  let interval = pollMinMs;
  let lastProgress = -1;
  let lastChangeAt = context.df.currentUtcDateTime.getTime();
  let attemptStartedAt = lastChangeAt;
  const { replicationMs } = waitDeadlines(input.settings);
  const deadline = lastChangeAt + replicationMs;
  for (;;) {
    const replication = yield* call(context, 'getReplication', {
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
    if (now >= deadline) {
      report();
      return {
        ok: false as const,
        reason: `replication did not complete within ${describeMs(replicationMs)} (${state} at ${progress}%, attempt ${status.replication.attempts})`,
      };
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
