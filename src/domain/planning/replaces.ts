import { finding, type Finding } from '../findings';
import type { PoolRequest } from '../buildRequest';

/**
 * `replaces` across the pools of one request. A new pool deletes the pool it replaces once it is ready,
 * so a pool replacing another pool this same request creates (A replaces B, B replaces A; or a chain)
 * ends with the new pools deleting each other: the build completes with none left. Two pools replacing
 * the same old pool each migrate its jobs, and the races strand jobs disabled. Both are refused.
 * Pool ids are case-insensitive within a Batch account, so are these comparisons.
 */
export function checkReplaces(pools: readonly PoolRequest[]): Finding[] {
  const key = (pool: PoolRequest, id: string) => `${pool.account.id.toLowerCase()}|${id.toLowerCase()}`;
  const newPools = new Map<string, number>();
  pools.forEach((pool, index) => {
    if (!newPools.has(key(pool, pool.poolId))) newPools.set(key(pool, pool.poolId), index);
  });
  const findings: Finding[] = [];
  const replaced = new Map<string, number>();
  pools.forEach((pool, index) => {
    if (pool.replaces === undefined || pool.replaces.toLowerCase() === pool.poolId.toLowerCase()) return;
    const at = `pools[${index}].replaces`;
    const target = newPools.get(key(pool, pool.replaces));
    if (target !== undefined) findings.push(replacesNewPool(pools, index, target, at));
    const first = replaced.get(key(pool, pool.replaces));
    if (first !== undefined) {
      findings.push(
        finding(
          'POOL_REPLACES_SHARED',
          at,
          `${at} is "${pool.replaces}" but pools[${first}] already replaces it in the same Batch account; each old pool can have one successor (their job migrations would race): remove one of the two replaces.`,
        ),
      );
    } else replaced.set(key(pool, pool.replaces), index);
  });
  return findings;
}

function replacesNewPool(pools: readonly PoolRequest[], index: number, target: number, at: string): Finding {
  const pool = pools[index]!;
  const back = pools[target]!.replaces;
  const cycle = back?.toLowerCase() === pool.poolId.toLowerCase();
  const why = cycle
    ? `and pools[${target}] replaces pools[${index}]: a cycle, each new pool would delete the other`
    : `so pools[${target}] would be created and then deleted`;
  return finding(
    'POOL_REPLACES_REQUEST_POOL',
    at,
    `${at} "${pools[index]!.replaces}" is pools[${target}] of this same request, ${why}. Name a pool that exists in the account today, or remove replaces.`,
  );
}
