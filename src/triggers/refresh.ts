import type { FactoryConfig } from '../domain/factoryConfig';
import { imageDefinitionId, isRefreshDue, poolIdForVersion } from '../domain/factoryConfig';
import type { BuildRequestInput } from '../domain/buildRequest';
import { nextPatchVersion, sortVersionsDescending } from '../domain/version';
import type { BatchAccountRef, GalleryPort, VersionSummary } from '../ports';
import { FactoryError } from '../domain/errors';
import { boundedName, shortHash } from '../domain/pipeline';

/** The longest requestId the schema takes (REQUEST_ID_PATTERN). */
const REQUEST_ID_MAX = 100;

/**
 * One refresh build's requestId: readable (definition and version) and unique per definition id, so
 * one definition name in two galleries never shares a build; bounded to the schema's length.
 */
export function refreshRequestId(definitionId: string, definition: string, version: string): string {
  const unique = `${definitionId.toLowerCase()}|${version}`;
  return boundedName(
    `refresh-${definition}-${version}-${shortHash(definitionId.toLowerCase())}`,
    REQUEST_ID_MAX,
    unique,
  );
}

const isNotFound = (error: unknown): boolean =>
  error instanceof FactoryError && error.kind === 'permanent' && /NotFound$/i.test(error.code);

export interface RefreshPlan {
  builds: BuildRequestInput[];
  retention: { definitionId: string; keepVersions: number; accounts: BatchAccountRef[] }[];
  /** Definitions whose versions could not be read: nothing is built for them this time. */
  failures: { definitionId: string; reason: string }[];
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
  const plan: RefreshPlan = { builds: [], retention: [], failures: [] };
  for (const watched of factory.images) {
    const definitionId = imageDefinitionId(watched.image);
    plan.retention.push({
      definitionId,
      keepVersions: watched.retention.keepVersions,
      accounts: watched.followers.map((f) => f.account),
    });
    if (!watched.refresh) continue;
    let versions: VersionSummary[];
    try {
      const galleryExists = (await gallery.getGalleryLocation(watched.image.galleryId)) !== undefined;
      versions = galleryExists ? await gallery.listVersions(definitionId) : [];
    } catch (error) {
      // Only a definition that does not exist yet has no versions; any other failure to read them must
      // not start a build, which would otherwise be 1.0.0 next to the versions we could not see.
      if (isNotFound(error)) versions = [];
      else {
        plan.failures.push({
          definitionId,
          reason: `could not list its versions, so no refresh build was started: ${error instanceof Error ? error.message : String(error)}`,
        });
        continue;
      }
    }
    const newest = sortVersionsDescending(versions.map((v) => v.name))[0];
    const newestPublished = versions.find((v) => v.name === newest)?.publishedDate;
    if (!isRefreshDue(watched.refresh.every, newestPublished ? new Date(newestPublished) : undefined, now))
      continue;
    const version = nextPatchVersion(versions.map((v) => v.name));
    plan.builds.push({
      requestId: refreshRequestId(definitionId, watched.image.definition, version),
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
