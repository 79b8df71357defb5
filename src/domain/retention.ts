import { compareVersions } from './version';
import { sameResourceId } from './resourceId';

export interface VersionForRetention {
  id: string;
  name: string;
  excludeFromLatest: boolean;
  endOfLifeDate?: string;
  /** Versions still being created (replicating) belong to a build in flight: never touched. */
  provisioningState?: string;
}

export type RetentionAction =
  | { kind: 'keep'; versionId: string; reason: 'newest' | 'in-use' | 'in-progress' | 'busy' | 'leased' }
  | { kind: 'retire'; versionId: string; reason: string }
  | { kind: 'delete'; versionId: string };

/**
 * Keep the newest `keepVersions` and every version a running pipeline leased; beyond that, a version
 * any pool still uses is retired (hidden from "latest"; its end-of-life date is not ours to set: Azure
 * only takes future ones) but never deleted, and the rest are deleted. Pure, so it is tested with
 * properties: whatever the input, an in-use version is never deleted.
 */
export function planRetention(
  versions: readonly VersionForRetention[],
  inUseVersionIds: readonly string[],
  keepVersions: number,
  leasedVersionIds: readonly string[] = [],
): RetentionAction[] {
  const newestFirst = [...versions].sort((a, b) => compareVersions(b.name, a.name));
  const inUse = (id: string) => inUseVersionIds.some((u) => sameResourceId(u, id));
  return newestFirst.map((version, index): RetentionAction => {
    if (index < keepVersions) return { kind: 'keep', versionId: version.id, reason: 'newest' };
    // A running pipeline holds it (building it, or creating pools from it): neither retired nor deleted.
    if (leasedVersionIds.some((l) => sameResourceId(l, version.id)))
      return { kind: 'keep', versionId: version.id, reason: 'leased' };
    if (
      version.provisioningState &&
      version.provisioningState !== 'Succeeded' &&
      version.provisioningState !== 'Failed'
    ) {
      return { kind: 'keep', versionId: version.id, reason: 'in-progress' };
    }
    if (inUse(version.id)) {
      return version.excludeFromLatest
        ? { kind: 'keep', versionId: version.id, reason: 'in-use' }
        : { kind: 'retire', versionId: version.id, reason: 'still used by a pool' };
    }
    return { kind: 'delete', versionId: version.id };
  });
}
