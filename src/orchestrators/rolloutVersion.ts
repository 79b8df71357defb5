import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import {
  executionStamp,
  ORCHESTRATORS,
  regionInstanceId,
  type RegionOutcome,
  type RegionRolloutInput,
  type RolloutVersionInput,
} from '../domain/pipeline';
import { asStepError, nowIso, publish } from './steps';
import { firstEntries, joinReasons, withinBudget } from './statusBudget';
import { boundedSummary, type RolloutSummary } from './pipelineStatus';
import { updateTargetRegionsWhenIdle } from './versionWrites';
import { leaseExistingVersion, releaseVersion } from './ledgerCalls';

/**
 * The region part alone, for a version that already exists (an Event Grid notice of a new version of a
 * watched definition): make sure each follower region is a target, then one region rollout per region.
 */
export const rolloutVersion: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RolloutVersionInput;
  const instanceId = context.df.instanceId;
  const execution = executionStamp(context.df.currentUtcDateTime);
  const owner = { instanceId, requestId: input.requestId };
  const startedAt = nowIso(context);
  const regions = [...new Set(input.pools.map((p) => p.account.region))];
  // Bounded like every custom status (statusBudget.ts): the first region instances and their count.
  const regionInstances = regions.map((r) => regionInstanceId(instanceId, r, execution));
  context.df.setCustomStatus(
    withinBudget((limit) => ({
      requestId: input.requestId,
      stage: 'rollout',
      imageVersionId: input.versionId,
      regionInstances: firstEntries(regionInstances, limit),
      regionsTotal: regionInstances.length,
      startedAt,
    })),
  );
  let outcomes: RegionOutcome[] = [];
  try {
    // A shared lease: retention leaves the version alone while it rolls out; other rollouts still run.
    yield* leaseExistingVersion(context, input.versionId, execution);
    yield* updateTargetRegionsWhenIdle(
      context,
      { versionId: input.versionId, targetRegions: input.targetRegions },
      input.settings,
    );
    outcomes = yield context.df.Task.all(
      regions.map((region) => {
        const child: RegionRolloutInput = {
          requestId: input.requestId,
          ownerInstanceId: instanceId,
          ownerExecution: execution,
          versionId: input.versionId,
          region,
          targetRegions: input.targetRegions,
          pools: input.pools.filter((p) => p.account.region === region),
          settings: input.settings,
        };
        return context.df.callSubOrchestrator(
          ORCHESTRATORS.regionRollout,
          child,
          regionInstanceId(instanceId, region, execution),
        );
      }),
    );
  } catch (error) {
    yield* releaseVersion(context, input.versionId, execution);
    return yield* fail(asStepError('rollout', error).message, [], []);
  }
  const summary: RolloutSummary = {
    regionsReplicated: outcomes.filter((o) => o.replicated).map((o) => o.region),
    regionsFailed: outcomes.filter((o) => !o.replicated).map((o) => o.region),
    poolsReady: outcomes.flatMap((o) => o.pools.filter((p) => p.state === 'ready').map((p) => p.poolId)),
    poolsFailed: outcomes.flatMap((o) => o.pools.filter((p) => p.state !== 'ready').map((p) => p.poolId)),
  };
  context.df.setCustomStatus(
    withinBudget((limit) => ({
      requestId: input.requestId,
      stage:
        summary.regionsFailed.length || summary.poolsFailed.length || outcomes.some((o) => o.problems?.length)
          ? 'failed'
          : 'completed',
      imageVersionId: input.versionId,
      regionsTotal: regionInstances.length,
      outcome: boundedSummary(summary, limit),
      startedAt,
    })),
  );
  const problems = outcomes.flatMap((o) =>
    o.replicated ? (o.problems ?? []).map((p) => `region ${o.region}: ${p}`) : [],
  );
  yield* releaseVersion(context, input.versionId, execution);
  if (summary.regionsFailed.length === 0 && summary.poolsFailed.length === 0 && problems.length === 0) {
    yield* publish(context, owner, [
      {
        type: EVENT_TYPES.pipelineCompleted,
        subject: input.versionId,
        data: {
          ...owner,
          imageVersionId: input.versionId,
          ...summary,
          startedAt,
          completedAt: nowIso(context),
        },
      },
    ]);
    return summary;
  }
  const reason = joinReasons(
    outcomes
      .flatMap((o) => [
        ...(o.replicated ? [] : [`region ${o.region}: ${o.reason}`]),
        ...o.pools.filter((p) => p.state === 'failed').map((p) => `pool ${p.poolId}: ${p.reason}`),
      ])
      .concat(problems),
  );
  return yield* fail(reason, summary.regionsReplicated, summary.poolsReady);

  /** Pipeline.Failed with what did succeed, then the instance fails with the reason. */
  function* fail(reason: string, regionsReplicated: string[], poolsReady: string[]) {
    yield* publish(context, owner, [
      {
        type: EVENT_TYPES.pipelineFailed,
        subject: `pipelines/${instanceId}`,
        data: {
          ...owner,
          stage: 'rollout',
          reason,
          findings: [],
          succeeded: { imageVersionId: input.versionId, regionsReplicated, poolsReady },
        },
      },
    ]);
    throw new Error(`Rollout of ${input.versionId} failed: ${reason}`);
  }
};
