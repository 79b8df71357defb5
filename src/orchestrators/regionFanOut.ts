import type { OrchestrationContext, Task } from 'durable-functions';
import {
  ORCHESTRATORS,
  regionInstanceId,
  type OrchestrationSettings,
  type PoolRollout,
  type RegionOutcome,
  type RegionRolloutInput,
} from '../domain/pipeline';
import type { TargetRegionSpec } from '../ports';
import type { RegionExpectation } from '../domain/timings/learn';
import type { CapacityCutover } from '../domain/cutover/cutoverRequest';

/** What every region of one rollout shares: the version, its target regions, the pools by region. */
export interface Rollout {
  requestId: string;
  /** The instance that owns the events and the region children. */
  instanceId: string;
  /** This execution of the owner (its start time): children of an earlier execution keep other ids. */
  execution: string;
  versionId: string;
  targetRegions: TargetRegionSpec[];
  pools: PoolRollout[];
  settings: OrchestrationSettings;
  /** Learned expectations per region (absent or empty: the built-in pacing). */
  expectations?: Record<string, RegionExpectation>;
  /** The request's cutover choices when capacity was planned: each region checks its plan again. */
  capacity?: CapacityCutover;
}

/** The child instance ids, in the order of `regions`: what the status shows before they finish. */
export const regionChildIds = (rollout: Rollout, regions: string[]): string[] =>
  regions.map((region) => regionInstanceId(rollout.instanceId, region, rollout.execution));

/**
 * One region rollout per region, started together and all waited for: each region's pools follow its
 * own replication, and a region never fails its siblings (a child reports an outcome, never throws).
 */
export function* fanOutRegions(
  context: OrchestrationContext,
  rollout: Rollout,
  regions: string[],
  holdCutover?: string,
): Generator<Task, RegionOutcome[], RegionOutcome[]> {
  if (regions.length === 0) return [];
  const ids = regionChildIds(rollout, regions);
  const children = regions.map((region, i) => {
    const input: RegionRolloutInput = {
      requestId: rollout.requestId,
      ownerInstanceId: rollout.instanceId,
      ownerExecution: rollout.execution,
      versionId: rollout.versionId,
      region,
      targetRegions: rollout.targetRegions,
      pools: rollout.pools.filter((p) => p.account.region === region),
      settings: rollout.settings,
      ...(holdCutover !== undefined ? { holdCutover } : {}),
      ...(rollout.expectations?.[region] ? { expected: rollout.expectations[region] } : {}),
      ...(rollout.capacity ? { capacity: rollout.capacity } : {}),
    };
    return context.df.callSubOrchestrator(ORCHESTRATORS.regionRollout, input, ids[i]);
  });
  return yield context.df.Task.all(children);
}
