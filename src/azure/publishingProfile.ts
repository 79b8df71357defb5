import type { GalleryImageVersionPublishingProfile, TargetRegion } from '@azure/arm-compute';
import { normalizeRegion } from '../domain/region';

/**
 * Building the publishing profile of a version PATCH. A PATCH replaces `targetRegions` whole, so a
 * region sent without its `encryption` (or anything else we do not model) loses it: every region goes
 * back exactly as Azure returned it, changed only where we mean to change it.
 */

/**
 * The profile as read, ready to send back. Read-only `publishedDate` goes; `endOfLifeDate` goes too: a
 * merge patch keeps what it does not mention, and Azure refuses an end of life that is not in the future,
 * which a date sent back after it passed would be.
 */
export function republished(
  profile: GalleryImageVersionPublishingProfile,
): GalleryImageVersionPublishingProfile {
  const rest = { ...profile };
  delete rest.publishedDate;
  delete rest.endOfLifeDate;
  return rest;
}

/**
 * Existing regions stay (with every field), a wanted one gets at least the replicas asked for, and new
 * ones are appended. Nothing is lowered or dropped: retention and operators own that, not a rollout.
 */
export function mergeRegions(existing: TargetRegion[], wanted: TargetRegion[]): TargetRegion[] {
  const key = (r: TargetRegion) => normalizeRegion(r.name);
  const wantedByName = new Map(wanted.map((r) => [key(r), r]));
  const merged = existing.map((region) => {
    const want = wantedByName.get(key(region));
    if (!want) return region;
    const replicas = Math.max(region.regionalReplicaCount ?? 1, want.regionalReplicaCount ?? 1);
    return { ...region, regionalReplicaCount: replicas };
  });
  const known = new Set(existing.map(key));
  return [...merged, ...wanted.filter((r) => !known.has(key(r)))];
}
