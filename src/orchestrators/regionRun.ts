import type { OrchestrationContext } from 'durable-functions';
import type { PoolOutcome, RegionRolloutInput } from '../domain/pipeline';
import { nowIso } from './steps';
import { describeCutover } from '../domain/cutover/capacity';
import type { RegionTimeline } from '../domain/timings/observation';
import { regionStatus, type PoolLine, type RegionState } from './regionStatus';
import { markStage } from './stageTimeline';

/**
 * One region rollout while it runs: its input, its custom status, and the pool outcomes as they become
 * known. Once a pool is settled its outcome stands, whatever fails later: a pool published Ready stays
 * ready, a pool published Failed stays failed.
 */
export interface RegionRun {
  input: RegionRolloutInput;
  /** Events belong to the owner (the pipeline or the follower rollout), not to the region child. */
  owner: { instanceId: string; requestId: string };
  /**
   * Who publishes: the owner in the owner's execution, so a restarted build's events get ids of their
   * own (Service Bus duplicate detection would drop them otherwise) while a re-send keeps its id.
   */
  sender: { instanceId: string; requestId: string; occurrence?: string };
  status: RegionState;
  settled: Map<string, PoolOutcome>;
  /** Milestones as they are reached (learned timings, the what-if timeline). */
  timeline: RegionTimeline;
  line(poolId: string): PoolLine;
  /** Sets the custom status the CLI and the status API read. */
  showStatus(): void;
}

export function startRegionRun(context: OrchestrationContext, input: RegionRolloutInput): RegionRun {
  const status: RegionState = {
    region: input.region,
    stage: 'replicating',
    replication: { state: 'Unknown', progress: 0, attempts: 1 },
    pools: input.pools.map((p) => ({
      poolId: p.poolId,
      state: 'waiting',
      currentNodes: 0,
      targetNodes: p.spec.targetDedicatedNodes + p.spec.targetLowPriorityNodes,
      ...(p.cutover ? { cutover: describeCutover(p.cutover) } : {}),
    })),
    updatedAt: nowIso(context),
  };
  return {
    input,
    owner: { instanceId: input.ownerInstanceId, requestId: input.requestId },
    sender: {
      instanceId: input.ownerInstanceId,
      requestId: input.requestId,
      occurrence: input.ownerExecution,
    },
    status,
    settled: new Map(),
    timeline: { startedAt: nowIso(context) },
    line: (poolId) => status.pools.find((s) => s.poolId === poolId)!,
    showStatus() {
      status.updatedAt = nowIso(context);
      markStage(status, status.updatedAt);
      context.df.setCustomStatus(regionStatus(status));
    },
  };
}
