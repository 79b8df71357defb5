import type { BatchAccountRef, BuildRequest } from './buildRequest';
import { imageDefinitionId } from './factoryConfig';
import { foldRunningHolders, rememberAccounts, type LedgerState } from './ledger';
import { compareVersions, parseVersion } from './version';
import { isAlive } from './runtimeStatus';
import { OWNER_TAG } from './pipeline';

/** One orchestration instance as the Durable client lists it (any runtime status). */
export interface InstanceRecord {
  instanceId: string;
  runtimeStatus?: string;
  input?: unknown;
  customStatus?: unknown;
}

/** The definition whose ledger leases a build's version: the source version's own when rolling one out. */
export function ledgerDefinitionOf(request: Pick<BuildRequest, 'source' | 'image'>): string {
  return request.source.type === 'galleryImageVersion'
    ? request.source.id.replace(/\/versions\/[^/]+\/?$/i, '')
    : imageDefinitionId(request.image);
}

/** The build request an instance was started with, when it is a pipeline of `definitionId`. */
function requestFor(definitionId: string, input: unknown): BuildRequest | undefined {
  const request = (input as { request?: BuildRequest } | null | undefined)?.request;
  if (!request?.image || !request.source || !Array.isArray(request.pools)) return undefined;
  try {
    return ledgerDefinitionOf(request).toLowerCase() === definitionId.toLowerCase() ? request : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a ledger started again (its predecessor terminated, failed or purged) learns from the builds of
 * its definition the Durable client still lists, whatever their status. Their inputs keep every Batch
 * account they named, persisted outside the ledger: a terminate or purge of the ledger cannot lose them
 * (a pool in any of them may use a version). Running builds become leases (their versions are never
 * deleted meanwhile), and every version a build shows moves "auto" past it.
 *
 * `existingVersions` is given only when the ledger's own record is gone (purged, or never existed):
 * then a version a factory build made (its OWNER_TAG) that is no longer listed (purged too) may be used
 * by a pool in an account nobody can name any more, and it is kept from retention for good
 * (`unverifiedVersions`): never delete what might be in use. A version made outside the factory (no
 * owner tag) is judged as before, against the accounts the ledger knows.
 */
export function foldBuilds(
  state: LedgerState,
  builds: readonly InstanceRecord[],
  existingVersions?: readonly { name: string; tags?: Record<string, string> }[],
): void {
  const prefix = `${state.definitionId.toLowerCase()}/versions/`;
  const shown = new Set<string>();
  const accounts: BatchAccountRef[] = [];
  for (const build of builds) {
    const request = requestFor(state.definitionId, build.input);
    if (!request) continue;
    accounts.push(...request.pools.map((p) => p.account).filter((a) => typeof a?.id === 'string'));
    const versionId = (build.customStatus as { imageVersionId?: unknown } | null | undefined)?.imageVersionId;
    if (typeof versionId !== 'string' || !versionId.toLowerCase().startsWith(prefix)) continue;
    const version = versionId.slice(prefix.length);
    shown.add(version);
    if (
      parseVersion(version) &&
      (!state.highestAllocated || compareVersions(version, state.highestAllocated) > 0)
    )
      state.highestAllocated = version;
  }
  if (accounts.length > 0) rememberAccounts(state, accounts);
  foldRunningHolders(
    state,
    builds.filter((b) => isAlive(b.runtimeStatus)),
  );
  if (existingVersions) {
    const listed = new Set(builds.map((b) => b.instanceId.toLowerCase()));
    const unverified = existingVersions
      .filter((v) => {
        const owner = v.tags?.[OWNER_TAG];
        return owner !== undefined && !listed.has(owner.toLowerCase()) && !shown.has(v.name);
      })
      .map((v) => v.name);
    if (unverified.length > 0)
      state.unverifiedVersions = [...new Set([...(state.unverifiedVersions ?? []), ...unverified])];
  }
}
