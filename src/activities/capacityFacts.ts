import type { Services } from './services';
import type { BatchAccountRef, BuildRequest } from '../domain/buildRequest';
import { PermanentError } from '../domain/errors';
import type { CapacityFacts } from '../domain/cutover/capacity';
import type { PoolListField } from '../ports/batch';

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
  return readCapacityFacts(services, { accounts: request.pools.map((p) => p.account) });
}

/**
 * The same reads for the accounts a region is about to create pools in (the activity the region runs
 * right before its pools start): quotas and pools may have changed since preflight — days, with waves and
 * approvals — and the plan is checked again against what Batch reports now.
 */
export async function readCapacityFacts(
  services: Services,
  input: { accounts: BatchAccountRef[] },
): Promise<CapacityFacts> {
  const out: CapacityFacts = {};
  const seen = new Set<string>();
  for (const account of input.accounts) {
    const key = account.id.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const read = await readAccount(services, account);
    if (!read) continue;
    const [quotas, pools] = read;
    out[key] = {
      ...(quotas ? { quotas } : {}),
      pools: pools.map((p) => ({
        poolId: p.poolId,
        ...(p.vmSize ? { vmSize: p.vmSize } : {}),
        currentDedicatedNodes: p.currentDedicatedNodes,
        targetDedicatedNodes: p.targetDedicatedNodes,
        currentLowPriorityNodes: p.currentLowPriorityNodes,
        targetLowPriorityNodes: p.targetLowPriorityNodes,
        ...(p.autoScale ? { autoScale: true } : {}),
      })),
    };
  }
  return out;
}

/** What the capacity plan reads of each pool: the whole pool of every pool of the account is not needed. */
const CAPACITY_FIELDS: readonly PoolListField[] = [
  'vmSize',
  'currentDedicatedNodes',
  'targetDedicatedNodes',
  'currentLowPriorityNodes',
  'targetLowPriorityNodes',
  'autoScale',
];

/**
 * An account this identity cannot read (or that is not there) is left out: capacity is then not checked
 * for it, and pool creation reports Azure's own error. Transient failures still retry the activity.
 */
async function readAccount(services: Services, account: BatchAccountRef) {
  try {
    return await Promise.all([
      services.batch.getCoreQuotas(account),
      services.batch.listPools(account, CAPACITY_FIELDS),
    ]);
  } catch (error) {
    if (error instanceof PermanentError) return undefined;
    throw error;
  }
}
