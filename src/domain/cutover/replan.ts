import type { PoolRollout } from '../batchPool';
import type { Finding } from '../findings';
import { withCutoverPlans, type CapacityFacts } from './capacity';
import type { CapacityCutover } from './cutoverRequest';

/** A region's pools planned again against what Batch reports now. */
export interface RegionReplan {
  /** The region's pools in their order, each with the plan that fits now (blue/green: no `cutover`). */
  pools: PoolRollout[];
  /** Pools that no longer fit at all, by pool id: the finding that says why and what to do. */
  refused: Record<string, Finding>;
  /** Pools whose plan changed since preflight (strategy or shrink size), for the status and the events. */
  changed: string[];
}

/**
 * Preflight decided blue/green, shrink-old-first or refuse from quotas read at submission; a region's
 * pools may start days later (waves, approvals, a slow replication), with quotas lowered or other pools
 * grown since. Right before the region creates its pools, the same pure planning runs again over fresh
 * facts, so a plan that no longer fits turns into shrink-old-first (or a refusal) instead of meeting
 * AccountCoreQuotaReached half-way through allocation. An account that could not be read now keeps the
 * plans preflight made for it: Batch's own error still reports what does not fit.
 */
export function replanRegionPools(
  pools: PoolRollout[],
  facts: CapacityFacts,
  cutover: CapacityCutover,
): RegionReplan {
  const fresh = pools.filter((p) => facts[p.account.id.toLowerCase()] !== undefined);
  const planned = withCutoverPlans(fresh.map(withoutPlan), facts, cutover, (poolId) =>
    fresh.findIndex((p) => p.poolId === poolId),
  );
  const refused: Record<string, Finding> = {};
  for (const f of planned.findings) {
    const index = /^pools\[(\d+)\]/.exec(f.path)?.[1];
    const pool = index === undefined ? undefined : fresh[Number(index)];
    if (f.severity === 'error' && pool && !refused[pool.poolId]) refused[pool.poolId] = f;
  }
  const byId = new Map(planned.pools.map((p) => [p.poolId, p]));
  const changed: string[] = [];
  const next = pools.map((p) => {
    const now = byId.get(p.poolId);
    if (!now) return p;
    if (JSON.stringify(now.cutover ?? null) !== JSON.stringify(p.cutover ?? null)) changed.push(p.poolId);
    return now;
  });
  return { pools: next, refused, changed };
}

function withoutPlan(pool: PoolRollout): PoolRollout {
  const copy = { ...pool };
  delete copy.cutover;
  return copy;
}
