import { finding, type Finding } from '../findings';
import type { BatchAccountRef } from '../buildRequest';
import { DEFAULT_CAPACITY_CUTOVER, type CapacityCutover } from './cutoverRequest';
import { vmSizeFacts } from './vmSizes';
import { isAutoScale } from '../poolTemplate/effectivePool';
import type { ShrunkBy } from './shrinkMarker';

/**
 * Capacity during cutover, decided without I/O. Blue/green briefly runs old and new pools side by side;
 * Batch counts each pool's nodes × vCPUs against the account's dedicated (total and, when enforced, per
 * VM family) and low-priority core quotas (https://learn.microsoft.com/azure/batch/batch-quota-limit).
 *
 * "Used" is what the account's pools hold or are about to hold: for each pool, the larger of its current
 * and target node counts (a growing pool will claim its target, a shrinking one still holds its nodes),
 * the pools the request replaces included, the request's own new pool ids excluded (a restarted build's
 * earlier pool is what this build makes, not extra demand). Autoscale pools are taken at their current
 * and target counts like any other; a new autoscale pool needs what its targets ask at creation.
 */

/** The core quotas of one account as Microsoft.Batch reports them; absent for UserSubscription accounts. */
export interface AccountCoreQuotas {
  dedicatedCoreQuota: number;
  lowPriorityCoreQuota: number;
  perFamily: Record<string, number>;
  perFamilyEnforced: boolean;
  /** How many pools the account may have (Batch answers PoolQuotaReached past it); absent: not checked. */
  poolQuota?: number;
}

/** One existing pool of an account, as read from the pool list. */
export interface PoolUsage {
  poolId: string;
  vmSize?: string;
  currentDedicatedNodes: number;
  targetDedicatedNodes: number;
  currentLowPriorityNodes: number;
  targetLowPriorityNodes: number;
  /**
   * An autoscale pool. It is never shrunk for a cutover: a resize is a scaleSettings.fixedScale write,
   * and ARM's ScaleSettings holds fixedScale or autoScale, never both, so the formula would be lost.
   */
  autoScale?: boolean;
  /** A shrink-old-first cutover's `bif-shrink` marker on the pool: who shrank it and from what. */
  shrunk?: ShrunkBy;
}

/** Per account id (lower case): its quotas (undefined when not reported) and its pools. */
export type CapacityFacts = Record<string, { quotas?: AccountCoreQuotas; pools: PoolUsage[] }>;

/** A new pool as capacity planning sees it. */
export interface PoolDemand {
  index: number;
  poolId: string;
  account: BatchAccountRef;
  vmSize: string;
  dedicatedNodes: number;
  lowPriorityNodes: number;
  /** The request's pool scales with a formula (template scaleSettings.autoScale). */
  autoScale?: boolean;
  replaces?: string;
}

export type CutoverPlan =
  | { strategy: 'blue-green' }
  | {
      strategy: 'shrink-old-first';
      /**
       * The old pool's size before the new pool is created (resized with taskcompletion), and its
       * targets as read before the shrink: what a rollback of the new pool resizes it back to.
       */
      shrinkOld: {
        poolId: string;
        toDedicated: number;
        toLowPriority: number;
        fromDedicated: number;
        fromLowPriority: number;
      };
      /** Cores missing for old + new side by side, per bucket that was short. */
      missingCores: Record<string, number>;
    }
  | {
      strategy: 'in-place';
      poolId: string;
      /**
       * What happens when the pool has nodes by the time of the update (hours later, after replication):
       * "auto" creates a new pool instead (blue/green), "in-place" fails the pool.
       */
      requested: 'auto' | 'in-place';
    };

export interface CapacityPlan {
  /** Per new pool id. */
  pools: Record<string, CutoverPlan>;
  findings: Finding[];
}

interface Used {
  dedicated: number;
  lowPriority: number;
  byFamily: Record<string, number>;
}

export function planCapacity(
  demands: PoolDemand[],
  facts: CapacityFacts,
  cutover: CapacityCutover = DEFAULT_CAPACITY_CUTOVER,
): CapacityPlan {
  const plan: CapacityPlan = { pools: {}, findings: [] };
  const newIds = new Set(demands.map((d) => d.poolId.toLowerCase()));
  const used = new Map<string, Used>();
  for (const demand of demands) {
    const key = demand.account.id.toLowerCase();
    const account = facts[key];
    const existing = (account?.pools ?? []).filter((p) => !newIds.has(p.poolId.toLowerCase()));
    const old = demand.replaces
      ? existing.find((p) => p.poolId.toLowerCase() === demand.replaces!.toLowerCase())
      : undefined;
    if (old?.shrunk?.by === 'busy') {
      plan.findings.push(busy(demand, old, old.shrunk));
      plan.pools[demand.poolId] = { strategy: 'blue-green' };
      continue;
    }
    const inPlace = inPlaceDecision(demand, old, cutover, plan.findings);
    if (inPlace) {
      plan.pools[demand.poolId] = inPlace;
      continue;
    }
    if (!used.has(key)) used.set(key, usageOf(existing));
    plan.pools[demand.poolId] = fit(demand, account?.quotas, used.get(key)!, old, cutover, plan.findings);
  }
  plan.findings.push(...poolCountFindings(demands, facts, plan));
  return plan;
}

/**
 * Blue/green adds a pool beside each pool it replaces (the old one goes only once the new one is ready),
 * so an account needs room for its existing pools plus every new one it does not update in place.
 * Past poolQuota, Batch refuses the create with 409 PoolQuotaReached
 * (https://learn.microsoft.com/rest/api/batchservice/batch-status-and-error-codes).
 */
function poolCountFindings(demands: PoolDemand[], facts: CapacityFacts, plan: CapacityPlan): Finding[] {
  const newIds = new Set(demands.map((d) => d.poolId.toLowerCase()));
  const byAccount = new Map<string, PoolDemand[]>();
  for (const demand of demands) {
    if (plan.pools[demand.poolId]?.strategy === 'in-place') continue;
    const key = demand.account.id.toLowerCase();
    byAccount.set(key, [...(byAccount.get(key) ?? []), demand]);
  }
  return [...byAccount].flatMap(([key, added]) => {
    const account = facts[key];
    const quota = account?.quotas?.poolQuota;
    if (!account || quota === undefined) return [];
    const existing = account.pools.filter((p) => !newIds.has(p.poolId.toLowerCase())).length;
    if (existing + added.length <= quota) return [];
    const name = added[0]!.account.id.split('/').at(-1);
    return [
      finding(
        'CUTOVER_POOL_QUOTA_INSUFFICIENT',
        `pools[${added[0]!.index}].poolId`,
        `Batch account ${name} has ${existing} pools and a pool quota of ${quota}; this build adds ${added.length} more (${added.map((d) => d.poolId).join(', ')}) beside the pools they replace, ${existing + added.length - quota} too many. Ask for a pool quota increase (https://learn.microsoft.com/azure/batch/batch-quota-limit#increase-a-quota), delete unused pools, or use cutover.strategy "auto" where the replaced pools are empty.`,
      ),
    ];
  });
}

/**
 * In place: asked for (or "auto"), and the replaced pool exists with no nodes, the same VM size and the
 * same scale mode, and the request's pool asks for no nodes either. In place changes only the image
 * (deploymentConfiguration): the old pool keeps its scale settings (formula or targets), start task and
 * everything else, so a request that wants nodes now, or another scale mode, gets a new pool.
 */
function inPlaceDecision(
  demand: PoolDemand,
  old: PoolUsage | undefined,
  cutover: CapacityCutover,
  findings: Finding[],
): CutoverPlan | undefined {
  if (cutover.strategy === 'blue-green' || !demand.replaces) return undefined;
  const empty =
    old !== undefined &&
    old.currentDedicatedNodes +
      old.targetDedicatedNodes +
      old.currentLowPriorityNodes +
      old.targetLowPriorityNodes ===
      0;
  const why = !old
    ? `pool ${demand.replaces} was not found in the account`
    : !empty
      ? `pool ${demand.replaces} has nodes (Batch changes a pool's image only while it has none)`
      : old.vmSize?.toLowerCase() !== demand.vmSize.toLowerCase()
        ? `pool ${demand.replaces} has VM size ${old.vmSize ?? 'unknown'}, not ${demand.vmSize}`
        : Boolean(old.autoScale) !== Boolean(demand.autoScale)
          ? `pool ${demand.replaces} ${old.autoScale ? 'scales with a formula' : 'has a fixed size'} and ${demand.poolId} ${demand.autoScale ? 'with a formula' : 'a fixed size'} (in place keeps the old pool's scale settings)`
          : demand.dedicatedNodes + demand.lowPriorityNodes > 0
            ? `${demand.poolId} asks for ${demand.dedicatedNodes + demand.lowPriorityNodes} nodes now (in place keeps the old pool's scale settings, at 0 nodes)`
            : undefined;
  if (!why) return { strategy: 'in-place', poolId: old!.poolId, requested: cutover.strategy };
  if (cutover.strategy === 'in-place') {
    findings.push(
      finding(
        'CUTOVER_IN_PLACE_NOT_ALLOWED',
        'cutover.strategy',
        `Pool ${demand.poolId} cannot take the new image in place: ${why}. Use "auto" (in place where allowed, blue/green otherwise) or "blue-green", or scale ${demand.replaces} to 0 nodes first.`,
      ),
    );
  }
  return undefined;
}

function usageOf(pools: PoolUsage[]): Used {
  const used: Used = { dedicated: 0, lowPriority: 0, byFamily: {} };
  for (const pool of pools) {
    const held = heldBy(pool);
    used.dedicated += held.dedicated;
    used.lowPriority += held.lowPriority;
    if (held.family) {
      const family = held.family.toLowerCase();
      used.byFamily[family] = (used.byFamily[family] ?? 0) + held.dedicated;
    }
  }
  return used;
}

/** Cores a pool holds or is about to hold (an unknown VM size counts one core per node, as Batch's least). */
function heldBy(pool: PoolUsage) {
  const size = pool.vmSize ? vmSizeFacts(pool.vmSize) : undefined;
  const cores = size?.vCPUs ?? 1;
  return {
    family: size?.family,
    cores,
    dedicatedNodes: Math.max(pool.currentDedicatedNodes, pool.targetDedicatedNodes),
    lowPriorityNodes: Math.max(pool.currentLowPriorityNodes, pool.targetLowPriorityNodes),
    dedicated: Math.max(pool.currentDedicatedNodes, pool.targetDedicatedNodes) * cores,
    lowPriority: Math.max(pool.currentLowPriorityNodes, pool.targetLowPriorityNodes) * cores,
  };
}

/**
 * A family's quota. Family names are compared case-insensitively: Azure spells them both ways
 * (`standardDSv5Family`, `StandardNCADSA100v4Family`) across the Resource SKUs API and Batch's
 * dedicatedCoreQuotaPerVMFamily, and a family not listed has no quota.
 */
export function familyQuota(quotas: AccountCoreQuotas, family: string): number {
  const wanted = family.toLowerCase();
  const entry = Object.entries(quotas.perFamily).find(([name]) => name.toLowerCase() === wanted);
  return entry?.[1] ?? 0;
}

/** Cores missing per bucket if `demand` were added to `used` now; empty when it fits. */
function shortfall(
  quotas: AccountCoreQuotas,
  used: Used,
  need: { dedicated: number; lowPriority: number; family?: string },
) {
  const missing: Record<string, number> = {};
  const over = (have: number, quota: number) => Math.max(0, have - quota);
  const total = over(used.dedicated + need.dedicated, quotas.dedicatedCoreQuota);
  if (total) missing.dedicated = total;
  if (quotas.perFamilyEnforced && need.family) {
    const family = over(
      (used.byFamily[need.family.toLowerCase()] ?? 0) + need.dedicated,
      familyQuota(quotas, need.family),
    );
    if (family) missing[need.family] = family;
  }
  const low = over(used.lowPriority + need.lowPriority, quotas.lowPriorityCoreQuota);
  if (low) missing.lowPriority = low;
  return missing;
}

function fit(
  demand: PoolDemand,
  quotas: AccountCoreQuotas | undefined,
  used: Used,
  old: PoolUsage | undefined,
  cutover: CapacityCutover,
  findings: Finding[],
): CutoverPlan {
  const size = vmSizeFacts(demand.vmSize);
  const cores = size?.vCPUs ?? 1;
  const need = {
    dedicated: demand.dedicatedNodes * cores,
    lowPriority: demand.lowPriorityNodes * cores,
    family: size?.family,
  };
  // No quotas reported (a UserSubscription account: quota lives on the subscription): nothing to check.
  if (!quotas) return { strategy: 'blue-green' };
  const missing = shortfall(quotas, used, need);
  if (Object.keys(missing).length === 0) {
    add(used, need, 1);
    return old?.shrunk ? alreadyShrunk(old, old.shrunk) : { strategy: 'blue-green' };
  }
  const shrink =
    old && cutover.onInsufficientQuota === 'shrink-old-first' ? shrinkFor(old, missing) : undefined;
  if (!shrink) {
    findings.push(refusal(demand, missing, old, cutover));
    return { strategy: 'blue-green' };
  }
  const oldHeld = heldBy(old!);
  add(
    used,
    {
      dedicated: shrink.removeDedicated * oldHeld.cores,
      lowPriority: shrink.removeLowPriority * oldHeld.cores,
      family: oldHeld.family,
    },
    -1,
  );
  add(used, need, 1);
  return {
    strategy: 'shrink-old-first',
    shrinkOld: {
      poolId: old!.poolId,
      toDedicated: oldHeld.dedicatedNodes - shrink.removeDedicated,
      toLowPriority: oldHeld.lowPriorityNodes - shrink.removeLowPriority,
      // A pool shrunk by an earlier run or an ended build: its targets before THAT shrink, from its marker.
      fromDedicated: Math.max(old!.shrunk?.fromDedicated ?? 0, old!.targetDedicatedNodes),
      fromLowPriority: Math.max(old!.shrunk?.fromLowPriority ?? 0, old!.targetLowPriorityNodes),
    },
    missingCores: missing,
  };
}

/**
 * The old pool is already shrunk (its marker: this request's terminated run, or a build that ended) and
 * the new pool fits beside it as it is: nothing more to shrink, but the cutover still owns that shrink,
 * so a failure resizes the pool back to the targets it had before it.
 */
function alreadyShrunk(old: PoolUsage, shrunk: ShrunkBy): CutoverPlan {
  return {
    strategy: 'shrink-old-first',
    shrinkOld: {
      poolId: old.poolId,
      toDedicated: old.targetDedicatedNodes,
      toLowPriority: old.targetLowPriorityNodes,
      // Never below the pool's targets now: a pool grown by hand since its marker was left keeps its size.
      fromDedicated: Math.max(shrunk.fromDedicated, old.targetDedicatedNodes),
      fromLowPriority: Math.max(shrunk.fromLowPriority, old.targetLowPriorityNodes),
    },
    missingCores: {},
  };
}

/**
 * Another build that still runs shrank the old pool for its own cutover: this one must neither shrink it
 * further nor resize it back (it would read the shrunk targets as the pool's own), so the pool is refused.
 * Refused rather than waited for: that build may run for days (waves, approvals), and a resubmit then
 * plans against the pool as the other build left it.
 */
function busy(demand: PoolDemand, old: PoolUsage, shrunk: ShrunkBy): Finding {
  return finding(
    'CUTOVER_POOL_BUSY',
    `pools[${demand.index}].replaces`,
    `Pool ${old.poolId}, which pool ${demand.poolId} replaces, is being cut over by build ${shrunk.requestId} (instance ${shrunk.instanceId}), which shrank it from ${shrunk.fromDedicated} dedicated + ${shrunk.fromLowPriority} low-priority nodes: retry when that build ends.`,
  );
}

function add(used: Used, cores: { dedicated: number; lowPriority: number; family?: string }, sign: 1 | -1) {
  used.dedicated += sign * cores.dedicated;
  used.lowPriority += sign * cores.lowPriority;
  if (cores.family) {
    const family = cores.family.toLowerCase();
    used.byFamily[family] = (used.byFamily[family] ?? 0) + sign * cores.dedicated;
  }
}

/** Nodes to take off the old pool so the missing cores are freed; undefined when even 0 nodes is not enough. */
function shrinkFor(old: PoolUsage, missing: Record<string, number>) {
  if (old.autoScale) return undefined;
  const held = heldBy(old);
  let dedicatedCores = missing.dedicated ?? 0;
  for (const [bucket, cores] of Object.entries(missing)) {
    if (bucket === 'dedicated' || bucket === 'lowPriority') continue;
    // A family short of cores gains only from an old pool of that same family.
    if (bucket.toLowerCase() !== held.family?.toLowerCase()) return undefined;
    dedicatedCores = Math.max(dedicatedCores, cores);
  }
  const removeDedicated = Math.ceil(dedicatedCores / held.cores);
  const removeLowPriority = Math.ceil((missing.lowPriority ?? 0) / held.cores);
  if (removeDedicated > held.dedicatedNodes || removeLowPriority > held.lowPriorityNodes) return undefined;
  return { removeDedicated, removeLowPriority };
}

function refusal(
  demand: PoolDemand,
  missing: Record<string, number>,
  old: PoolUsage | undefined,
  cutover: CapacityCutover,
): Finding {
  const short = Object.entries(missing)
    .map(
      ([bucket, cores]) =>
        `${cores} ${bucket === 'dedicated' ? 'dedicated' : bucket === 'lowPriority' ? 'low-priority' : bucket} cores`,
    )
    .join(', ');
  const account = demand.account.id.split('/').at(-1);
  const why =
    old && !old.autoScale && cutover.onInsufficientQuota === 'refuse'
      ? `cutover.onInsufficientQuota is "refuse"; "shrink-old-first" would shrink ${old.poolId} before ${demand.poolId} grows`
      : old?.autoScale
        ? `${old.poolId} is an autoscale pool, and shrinking it would replace its formula with a fixed size (ARM scaleSettings holds one or the other), so it is not shrunk`
        : old
          ? `even with ${old.poolId} shrunk to 0 nodes it would not fit`
          : 'no replaced pool can make room';
  return finding(
    'CUTOVER_QUOTA_INSUFFICIENT',
    `pools[${demand.index}].targetDedicatedNodes`,
    `Pool ${demand.poolId} (${demand.dedicatedNodes} dedicated + ${demand.lowPriorityNodes} low-priority ${demand.vmSize} nodes) does not fit Batch account ${account}'s core quota beside its other pools: ${short} missing (${why}). Ask for a quota increase (https://learn.microsoft.com/azure/batch/batch-quota-limit#increase-a-quota)${fixes(old, cutover)} or use fewer nodes.`,
  );
}

/** The fixes beside a quota increase that would let this pool fit. */
function fixes(old: PoolUsage | undefined, cutover: CapacityCutover): string {
  if (old?.autoScale) return `, lower the targets of ${old.poolId}'s autoscale formula first`;
  if (old && cutover.onInsufficientQuota === 'refuse')
    return ', set cutover.onInsufficientQuota to "shrink-old-first"';
  return '';
}

/**
 * The planning core's entry: each rollout with its cutover plan (blue/green ones left as they were, so
 * plans without capacity facts — follower rollouts, `bif plan` offline — stay unchanged), and findings.
 */
export function withCutoverPlans<
  P extends {
    poolId: string;
    account: BatchAccountRef;
    replaces?: string;
    spec: {
      vmSize: string;
      targetDedicatedNodes: number;
      targetLowPriorityNodes: number;
      template?: Record<string, unknown>;
    };
  },
>(
  rollouts: P[],
  facts: CapacityFacts | undefined,
  cutover: CapacityCutover | undefined,
  indexOf: (poolId: string) => number = () => -1,
): { pools: (P & { cutover?: CutoverPlan })[]; findings: Finding[] } {
  if (!facts) return { pools: rollouts, findings: [] };
  const demands = rollouts.map((r, i) => ({
    index: indexOf(r.poolId) >= 0 ? indexOf(r.poolId) : i,
    poolId: r.poolId,
    account: r.account,
    vmSize: r.spec.vmSize,
    dedicatedNodes: r.spec.targetDedicatedNodes,
    lowPriorityNodes: r.spec.targetLowPriorityNodes,
    ...(isAutoScale(r.spec.template) ? { autoScale: true } : {}),
    ...(r.replaces ? { replaces: r.replaces } : {}),
  }));
  const plan = planCapacity(demands, facts, cutover);
  const pools = rollouts.map((r) => {
    const chosen = plan.pools[r.poolId];
    return chosen && chosen.strategy !== 'blue-green' ? { ...r, cutover: chosen } : r;
  });
  return { pools, findings: plan.findings };
}

/** One line for status and `bif plan`: how the pool takes over from the one it replaces. */
export function describeCutover(plan: CutoverPlan | undefined): string | undefined {
  if (!plan || plan.strategy === 'blue-green') return undefined;
  if (plan.strategy === 'in-place') return `in place: ${plan.poolId} takes the new image`;
  const { poolId, toDedicated, toLowPriority } = plan.shrinkOld;
  const missing = Object.entries(plan.missingCores)
    .map(([bucket, cores]) => `${cores} ${bucket}`)
    .join(', ');
  return `shrink-old-first: ${poolId} to ${toDedicated}+${toLowPriority} nodes first (${missing} cores short)`;
}
