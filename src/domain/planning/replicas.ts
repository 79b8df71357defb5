import { finding, type Finding } from '../findings';
import type { BuildRequest } from '../buildRequest';
import { poolCapacity } from './poolTemplate';

/** Azure Batch guidance: at least one gallery replica per 300 VMs allocated from a region at once. */
const VMS_PER_REPLICA = 300;
/** Azure Compute Gallery limit per region for one image version. */
export const MAX_REPLICAS_PER_REGION = 100;

export interface RegionPlan {
  name: string;
  /** Sum of target dedicated + low-priority nodes of the pools served from this region. */
  capacity: number;
  replicaCount: number;
  /** Indexes into `request.pools` of the pools in this region. */
  poolIndexes: number[];
  /** Why the region is a target when no pool needs it. */
  reason: 'pools' | 'extraRegion' | 'galleryRegion';
}

/** Replicas the rule demands, before the 100 cap: ceil(capacity / 300 × (1 + headroom)), at least 1. */
export function replicasFor(capacity: number, headroomPercent: number): number {
  // Integer arithmetic: 3000 / 300 × 1.2 is 12.000000000000002 in floating point and would ceil to 13.
  const numerator = capacity * (100 + headroomPercent);
  const denominator = VMS_PER_REPLICA * 100;
  return Math.max(1, Math.ceil(numerator / denominator));
}

export function planRegions(
  request: Pick<BuildRequest, 'pools' | 'replication'>,
  galleryRegion?: string,
): { regions: RegionPlan[]; findings: Finding[] } {
  const byName = new Map<string, RegionPlan>();
  request.pools.forEach((pool, index) => {
    const region = byName.get(pool.account.region) ?? {
      name: pool.account.region,
      capacity: 0,
      replicaCount: 0,
      poolIndexes: [],
      reason: 'pools' as const,
    };
    region.capacity += poolCapacity(pool);
    region.poolIndexes.push(index);
    byName.set(region.name, region);
  });
  for (const name of request.replication.extraRegions) {
    if (!byName.has(name))
      byName.set(name, { name, capacity: 0, replicaCount: 0, poolIndexes: [], reason: 'extraRegion' });
  }
  // The gallery's own region must be a target region, or ARM rejects the version.
  if (galleryRegion && !byName.has(galleryRegion)) {
    byName.set(galleryRegion, {
      name: galleryRegion,
      capacity: 0,
      replicaCount: 0,
      poolIndexes: [],
      reason: 'galleryRegion',
    });
  }

  const findings: Finding[] = [];
  const regions = [...byName.values()];
  for (const region of regions) {
    const minimum = replicasFor(region.capacity, 0);
    const wanted = replicasFor(region.capacity, request.replication.headroomPercent);
    const poolList = region.poolIndexes.map((i) => request.pools[i]!.poolId).join(', ');
    if (minimum > MAX_REPLICAS_PER_REGION) {
      findings.push(
        finding(
          'REPLICA_LIMIT_EXCEEDED',
          region.poolIndexes.length === 1 ? `pools[${region.poolIndexes[0]}]` : 'pools',
          `Region ${region.name} serves ${region.capacity} nodes (pools ${poolList}), which needs ${minimum} replicas at 1 per ${VMS_PER_REPLICA} VMs; ` +
            `an image version can have at most ${MAX_REPLICAS_PER_REGION} per region (${MAX_REPLICAS_PER_REGION * VMS_PER_REPLICA} nodes). ` +
            `Split the pools across Batch accounts in other regions or reduce their target nodes.`,
        ),
      );
    } else if (wanted > MAX_REPLICAS_PER_REGION) {
      findings.push(
        finding(
          'REPLICA_HEADROOM_CAPPED',
          'replication.headroomPercent',
          `Region ${region.name}: ${request.replication.headroomPercent}% headroom asks for ${wanted} replicas; capped at ${MAX_REPLICAS_PER_REGION}. ` +
            `Lower headroomPercent or spread pools over more regions for faster allocation.`,
        ),
      );
    }
    region.replicaCount = Math.min(MAX_REPLICAS_PER_REGION, wanted);
  }
  if (regions.length === 0) {
    findings.push(
      finding(
        'NO_TARGET_REGIONS',
        'pools',
        'The request has no pools and no replication.extraRegions, so the image version would replicate nowhere. Add a pool or an extra region.',
      ),
    );
  }
  return { regions, findings };
}
