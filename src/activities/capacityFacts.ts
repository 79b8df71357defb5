import type { Services } from './services';
import type { BuildRequest } from '../domain/buildRequest';
import type { CapacityFacts } from '../domain/cutover/capacity';

/**
 * Each Batch account's core quotas (one management-plane GET) and its pools (the data-plane list),
 * once per account: what src/domain/cutover/capacity.ts needs to decide whether old and new pools fit
 * side by side. Read only when the request has pools.
 */
export async function gatherCapacityFacts(
  services: Services,
  request: BuildRequest,
): Promise<CapacityFacts | undefined> {
  if (request.pools.length === 0) return undefined;
  const out: CapacityFacts = {};
  for (const pool of request.pools) {
    const key = pool.account.id.toLowerCase();
    if (out[key]) continue;
    const [quotas, pools] = await Promise.all([
      services.batch.getCoreQuotas(pool.account),
      services.batch.listPools(pool.account),
    ]);
    out[key] = {
      ...(quotas ? { quotas } : {}),
      pools: pools.map((p) => ({
        poolId: p.poolId,
        ...(p.vmSize ? { vmSize: p.vmSize } : {}),
        currentDedicatedNodes: p.currentDedicatedNodes,
        targetDedicatedNodes: p.targetDedicatedNodes,
        currentLowPriorityNodes: p.currentLowPriorityNodes,
        targetLowPriorityNodes: p.targetLowPriorityNodes,
      })),
    };
  }
  return out;
}
