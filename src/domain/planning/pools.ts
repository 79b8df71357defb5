import { finding, type Finding } from '../findings';
import type { PoolRequest } from '../buildRequest';
import { mustParse, resourceName } from '../resourceId';
import { isAutoScale } from '../poolTemplate/effectivePool';
import { checkReplaces } from './replaces';

/** Batch pool ids: letters, digits, hyphens and underscores, 1-64 characters. */
export const POOL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function checkPools(pools: readonly PoolRequest[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  const accountRegions = new Map<string, { region: string; index: number }>();

  pools.forEach((pool, index) => {
    const at = `pools[${index}]`;
    if (!POOL_ID_PATTERN.test(pool.poolId)) {
      findings.push(
        finding(
          'POOL_ID_INVALID',
          `${at}.poolId`,
          `${at}.poolId "${pool.poolId}" breaks Batch's rule: 1-64 letters, digits, hyphens or underscores` +
            (pool.poolId.length > 64 ? ` (it has ${pool.poolId.length} characters).` : '.'),
        ),
      );
    }
    if (pool.replaces !== undefined && !POOL_ID_PATTERN.test(pool.replaces)) {
      findings.push(
        finding(
          'POOL_ID_INVALID',
          `${at}.replaces`,
          `${at}.replaces "${pool.replaces}" is not a valid Batch pool id.`,
        ),
      );
    }
    // Batch pool ids are case-insensitive within an account.
    const key = `${pool.account.id.toLowerCase()}|${pool.poolId.toLowerCase()}`;
    const first = seen.get(key);
    if (first !== undefined) {
      findings.push(
        finding(
          'POOL_ID_DUPLICATE',
          `${at}.poolId`,
          `${at}.poolId "${pool.poolId}" is already used by pools[${first}] in the same Batch account (ids are case-insensitive); rename one.`,
        ),
      );
    } else {
      seen.set(key, index);
    }
    if (pool.replaces !== undefined && pool.replaces.toLowerCase() === pool.poolId.toLowerCase()) {
      findings.push(
        finding(
          'POOL_REPLACES_ITSELF',
          `${at}.replaces`,
          `${at}.replaces names the pool itself: a new pool needs a new id (e.g. with the version in it). To give an existing pool the new image under its own id, name it in replaces from a new pool id and set cutover.strategy to "in-place" (or "auto").`,
        ),
      );
    }
    // An autoscale pool's formula sets its targets (maxNodes is checked with the template).
    if (!isAutoScale(pool.template) && pool.targetDedicatedNodes + pool.targetLowPriorityNodes === 0) {
      findings.push(
        finding(
          'POOL_HAS_NO_NODES',
          at,
          `${at} asks for 0 dedicated and 0 low-priority nodes: the pool will be created empty and "ready" at once.`,
        ),
      );
    }
    findings.push(...checkAccountEndpoint(pool, at));
    const accountKey = pool.account.id.toLowerCase();
    const known = accountRegions.get(accountKey);
    if (known && known.region !== pool.account.region) {
      findings.push(
        finding(
          'ACCOUNT_REGION_CONFLICT',
          `${at}.account.region`,
          `${at}.account.region is ${pool.account.region} but pools[${known.index}] says the same account is in ${known.region}; a Batch account has one region.`,
        ),
      );
    } else if (!known) {
      accountRegions.set(accountKey, { region: pool.account.region, index });
    }
  });
  findings.push(...checkReplaces(pools));
  return findings;
}

/** Public Batch endpoints are https://{account}.{region}.batch.azure.com; check they agree with id and region. */
function checkAccountEndpoint(pool: PoolRequest, at: string): Finding[] {
  let host: string;
  try {
    host = new URL(pool.account.endpoint).hostname.toLowerCase();
  } catch {
    return [];
  }
  const match = /^([a-z0-9]+)\.([a-z0-9]+)\.batch\.azure\.com$/.exec(host);
  if (!match) return []; // sovereign clouds, private endpoints and the simulator use other host names
  const name = resourceName(mustParse(pool.account.id)).toLowerCase();
  const [, hostAccount, hostRegion] = match;
  if (hostAccount !== name || hostRegion !== pool.account.region) {
    return [
      finding(
        'ACCOUNT_ENDPOINT_MISMATCH',
        `${at}.account.endpoint`,
        `${at}.account.endpoint ${pool.account.endpoint} does not match account "${name}" in ${pool.account.region}; expected https://${name}.${pool.account.region}.batch.azure.com.`,
      ),
    ];
  }
  return [];
}
