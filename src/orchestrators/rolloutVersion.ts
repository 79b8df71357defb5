import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { executionStamp, type RolloutVersionInput } from '../domain/pipeline';
import { asStepError, nowIso } from './steps';
import { firstEntries, withinBudget } from './statusBudget';
import { boundedSummary } from './pipelineStatus';
import { updateTargetRegionsWhenIdle } from './versionWrites';
import { leaseExistingVersion, releaseVersion } from './ledgerCalls';
import { fanOutRegions, regionChildIds, type Rollout } from './regionFanOut';
import { summarizeRollout } from './rolloutOutcome';
import { publishCompleted, publishFailed } from './milestones';

/**
 * The region part alone, for a version that already exists (an Event Grid notice of a new version of a
 * watched definition): make sure each follower region is a target, then one region rollout per region.
 */
export const rolloutVersion: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RolloutVersionInput;
  const rollout: Rollout = {
    ...input,
    instanceId: context.df.instanceId,
    execution: executionStamp(context.df.currentUtcDateTime),
  };
  const publisher = { instanceId: rollout.instanceId, requestId: input.requestId };
  const startedAt = nowIso(context);
  const regions = [...new Set(input.pools.map((p) => p.account.region))];
  const regionsTotal = regions.length;
  // Bounded like every custom status (statusBudget.ts): the first region instances and their count.
  const regionInstances = regionChildIds(rollout, regions);
  const base = { requestId: input.requestId, imageVersionId: input.versionId, regionsTotal, startedAt };
  context.df.setCustomStatus(
    withinBudget((limit) => ({
      ...base,
      stage: 'rollout',
      regionInstances: firstEntries(regionInstances, limit),
    })),
  );
  const result = yield* targetAndFanOut(context, rollout, regions);
  // Released whatever happened: a rollout that failed no longer needs its version kept.
  yield* releaseVersion(context, input.versionId, rollout.execution);
  if (!result.ok) return yield* fail(result.error, [], []);
  const { summary, shortfall } = summarizeRollout(result.outcomes);
  const stage = shortfall === undefined ? 'completed' : 'failed';
  context.df.setCustomStatus(
    withinBudget((limit) => ({ ...base, stage, outcome: boundedSummary(summary, limit) })),
  );
  if (shortfall !== undefined) return yield* fail(shortfall, summary.regionsReplicated, summary.poolsReady);
  yield* publishCompleted(context, publisher, { versionId: input.versionId, summary, startedAt });
  return summary;

  /** Pipeline.Failed with what did succeed, then the instance fails with the reason. */
  function* fail(reason: string, regionsReplicated: string[], poolsReady: string[]) {
    yield* publishFailed(context, publisher, {
      stage: 'rollout',
      reason,
      findings: [],
      succeeded: { imageVersionId: input.versionId, regionsReplicated, poolsReady },
    });
    throw new Error(`Rollout of ${input.versionId} failed: ${reason}`);
  }
};

/** Every follower region as a target, then the region children; a step that fails for good is a value. */
function* targetAndFanOut(context: OrchestrationContext, rollout: Rollout, regions: string[]) {
  try {
    // A shared lease: retention leaves the version alone while it rolls out; other rollouts still run.
    yield* leaseExistingVersion(context, rollout.versionId, rollout.execution);
    yield* updateTargetRegionsWhenIdle(
      context,
      { versionId: rollout.versionId, targetRegions: rollout.targetRegions },
      rollout.settings,
    );
    return { ok: true as const, outcomes: yield* fanOutRegions(context, rollout, regions) };
  } catch (error) {
    return { ok: false as const, error: asStepError('rollout', error).message };
  }
}
