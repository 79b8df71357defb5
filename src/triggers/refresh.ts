import type { FactoryConfig } from '../domain/factoryConfig';
import { imageDefinitionId, isRefreshDue, poolIdForVersion } from '../domain/factoryConfig';
import type { BuildRequestInput } from '../domain/buildRequest';
import { nextPatchVersion, sortVersionsDescending } from '../domain/version';
import type { BatchAccountRef, GalleryPort } from '../ports';

export interface RefreshPlan {
  builds: BuildRequestInput[];
  retention: { definitionId: string; keepVersions: number; accounts: BatchAccountRef[] }[];
}

/**
 * What the refresh timer does: for every watched definition with a recipe whose newest version is at
 * least `every` old, a build of the next patch version with its follower pools (replacing the pools of
 * the newest version); and retention for every watched definition.
 */
export async function planRefresh(
  factory: FactoryConfig,
  gallery: GalleryPort,
  now: Date,
): Promise<RefreshPlan> {
  const plan: RefreshPlan = { builds: [], retention: [] };
  for (const watched of factory.images) {
    const definitionId = imageDefinitionId(watched.image);
    plan.retention.push({
      definitionId,
      keepVersions: watched.retention.keepVersions,
      accounts: watched.followers.map((f) => f.account),
    });
    if (!watched.refresh) continue;
    const galleryExists = (await gallery.getGalleryLocation(watched.image.galleryId)) !== undefined;
    const versions = galleryExists ? await gallery.listVersions(definitionId).catch(() => []) : [];
    const newest = sortVersionsDescending(versions.map((v) => v.name))[0];
    const newestPublished = versions.find((v) => v.name === newest)?.publishedDate;
    if (!isRefreshDue(watched.refresh.every, newestPublished ? new Date(newestPublished) : undefined, now))
      continue;
    const version = nextPatchVersion(versions.map((v) => v.name));
    plan.builds.push({
      requestId: `refresh-${watched.image.definition}-${version}`.slice(0, 100),
      source: watched.refresh.source,
      image: { ...watched.image, version },
      replication: watched.refresh.replication,
      pools: watched.followers.map(({ poolIdTemplate, ...pool }) => ({
        ...pool,
        poolId: poolIdForVersion(poolIdTemplate, version),
        ...(newest ? { replaces: poolIdForVersion(poolIdTemplate, newest) } : {}),
      })),
      retention: watched.retention,
    });
  }
  return plan;
}
