import type { Services } from './services';
import type { BatchAccountRef, BuildRequest } from '../domain/buildRequest';
import { NotFoundError, PermanentError } from '../domain/errors';
import type { CapacityFacts } from '../domain/cutover/capacity';
import type { PoolListField } from '../ports/batch';
import { shrinkMarkerOf, type Metadata, type ShrunkBy } from '../domain/cutover/shrinkMarker';
import { markerOwnerEnded } from './markerOwner';

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
  return readCapacityFacts(services, {
    accounts: request.pools.map((p) => p.account),
    requestId: request.requestId,
  });
}

/**
 * The same reads for the accounts a region is about to create pools in (the activity the region runs
 * right before its pools start): quotas and pools may have changed since preflight — days, with waves and
 * approvals — and the plan is checked again against what Batch reports now.
 */
export async function readCapacityFacts(
  services: Services,
  /** `requestId`: the build asking, so that its own earlier run's shrink marker is told from another's. */
  input: { accounts: BatchAccountRef[]; requestId?: string },
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
    const shrunk = await Promise.all(pools.map((p) => shrunkBy(services, p.metadata, input.requestId)));
    out[key] = {
      ...(quotas ? { quotas } : {}),
      pools: pools.map((p, i) => ({
        poolId: p.poolId,
        ...(p.vmSize ? { vmSize: p.vmSize } : {}),
        currentDedicatedNodes: p.currentDedicatedNodes,
        targetDedicatedNodes: p.targetDedicatedNodes,
        currentLowPriorityNodes: p.currentLowPriorityNodes,
        targetLowPriorityNodes: p.targetLowPriorityNodes,
        ...(p.autoScaleEnabled ? { autoScale: true } : {}),
        ...(shrunk[i] ? { shrunk: shrunk[i] } : {}),
      })),
    };
  }
  return out;
}

/** What the capacity plan reads of each pool: the whole pool of every pool of the account is not needed. */
const CAPACITY_FIELDS = [
  'vmSize',
  'currentDedicatedNodes',
  'targetDedicatedNodes',
  'currentLowPriorityNodes',
  'targetLowPriorityNodes',
  // Whether the pool autoscales, not its last run: nothing here reads the run.
  'autoScaleEnabled',
  // The `bif-shrink` marker of a shrink-old-first cutover: the pool's targets before a shrink.
  'metadata',
] as const satisfies readonly PoolListField[];

/**
 * Who shrank this pool, if a shrink-old-first cutover's marker says one did: this request's earlier run,
 * a build that ended, or one that still runs (busy; also when there is no Durable client to ask).
 */
async function shrunkBy(
  services: Services,
  metadata: Metadata | undefined,
  requestId: string | undefined,
): Promise<ShrunkBy | undefined> {
  const marker = shrinkMarkerOf(metadata);
  if (!marker) return undefined;
  const base = {
    requestId: marker.requestId,
    instanceId: marker.instanceId,
    fromDedicated: marker.fromDedicated,
    fromLowPriority: marker.fromLowPriority,
  };
  if (marker.requestId === requestId) return { ...base, by: 'own' };
  return { ...base, by: (await markerOwnerEnded(services, marker.instanceId)) ? 'ended' : 'busy' };
}

/**
 * Azure's codes for "this identity may not read that account": ARM's 403 (quotas) and the Batch data
 * plane's 401/403 (pool list); `Http401`/`Http403` when a service sends no code.
 */
const NOT_ALLOWED = new Set([
  'AuthorizationFailed',
  'AuthorizationFailure',
  'AuthenticationFailed',
  'InsufficientPermissions',
  'Forbidden',
  'Http401',
  'Http403',
]);

/**
 * An account this identity cannot read (or that is not there) is left out: capacity is then not checked
 * for it, and pool creation reports Azure's own error. Transient failures still retry the activity. Any
 * other refusal (a 400 on the `$select` we send, say) is a request of ours Azure does not take: it fails
 * the step, named as our bug, instead of passing the capacity check for an account nobody looked at.
 */
async function readAccount(services: Services, account: BatchAccountRef) {
  try {
    return await Promise.all([
      services.batch.getCoreQuotas(account),
      services.batch.listPools(account, CAPACITY_FIELDS),
    ]);
  } catch (error) {
    if (error instanceof NotFoundError || (error instanceof PermanentError && NOT_ALLOWED.has(error.code)))
      return undefined;
    if (error instanceof PermanentError)
      throw new PermanentError(
        `Reading the capacity (core quotas and pools) of Batch account ${account.id}: ${error.message.trim()} ` +
          'Azure refused a read batch-image-factory builds itself, not a value of the request: this is a bug in batch-image-factory; report it with this message.',
        error.code,
        error.target ?? account.id,
      );
    throw error;
  }
}
