/**
 * What one region of one completed pipeline observed, kept as learned history: replication against
 * image size and replica count, allocation rate against node count and VM size, gate and cutover
 * (retirement) durations. Times come from the orchestration's own clock (replay-safe).
 */

/** When a region rollout reached each milestone (ISO times); a milestone not reached is absent. */
export interface RegionTimeline {
  /** The region rollout began: the version was requested, its replication starts. */
  startedAt: string;
  replicatedAt?: string;
  /** Every pool of the region settled (ready or failed). */
  poolsReadyAt?: string;
  /** The health gate passed (only when the rollout has one). */
  gatedAt?: string;
  /** The replaced pools were retired (the cutover ended). */
  retiredAt?: string;
}

export interface TimingObservation {
  region: string;
  requestId: string;
  /** When the region ended: the newest observations are the ones kept. */
  observedAt: string;
  /** The image's size (OS plus data disks), when the gallery reported it. */
  imageSizeGb?: number;
  replicaCount: number;
  /** Target nodes of the region's pools together (0: a region without pools). */
  nodes: number;
  /** VM size of the region's largest pool. */
  vmSize?: string;
  replicationMs?: number;
  allocationMs?: number;
  /** Nodes per minute once the VMs booted (the simulator's and the model's allocation rate). */
  nodesPerMinute?: number;
  gateMs?: number;
  retirementMs?: number;
}

export interface RegionFacts {
  region: string;
  replicaCount: number;
  nodes: number;
  vmSize?: string;
}

const between = (from?: string, to?: string): number | undefined =>
  from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : undefined;

/** The observation of one region from its timeline; undefined when it never replicated (nothing learned). */
export function observationOf(
  requestId: string,
  facts: RegionFacts,
  timeline: RegionTimeline,
  options: { imageSizeGb?: number; poolStartupMs: number },
): TimingObservation | undefined {
  const replicationMs = between(timeline.startedAt, timeline.replicatedAt);
  if (replicationMs === undefined) return undefined;
  const allocationMs = facts.nodes > 0 ? between(timeline.replicatedAt, timeline.poolsReadyAt) : undefined;
  const afterPools = timeline.gatedAt ?? timeline.poolsReadyAt;
  const observation: TimingObservation = {
    region: facts.region.toLowerCase(),
    requestId,
    observedAt: timeline.retiredAt ?? timeline.gatedAt ?? timeline.poolsReadyAt ?? timeline.replicatedAt!,
    replicaCount: facts.replicaCount,
    nodes: facts.nodes,
    replicationMs,
  };
  if (options.imageSizeGb !== undefined) observation.imageSizeGb = options.imageSizeGb;
  if (facts.vmSize) observation.vmSize = facts.vmSize;
  if (allocationMs !== undefined) {
    observation.allocationMs = allocationMs;
    const growingMinutes = Math.max(0.1, (allocationMs - options.poolStartupMs) / 60_000);
    observation.nodesPerMinute = +(facts.nodes / growingMinutes).toFixed(2);
  }
  const gateMs = between(timeline.poolsReadyAt, timeline.gatedAt);
  if (gateMs !== undefined) observation.gateMs = gateMs;
  const retirementMs = between(afterPools, timeline.retiredAt);
  if (retirementMs !== undefined) observation.retirementMs = retirementMs;
  return observation;
}
