import type { FactoryConfig } from '../domain/factoryConfig';
import { imageDefinitionId, isRefreshDue } from '../domain/factoryConfig';
import type { BatchAccountRef, BuildRequestInput } from '../domain/buildRequest';
import { chooseVersion } from '../domain/planning/pipelinePlan';
import { followerPools } from '../domain/planning/followers';
import { sortVersionsDescending } from '../domain/version';
import type { GalleryPort, VersionSummary } from '../ports';
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

export interface RefreshPlan {
  builds: BuildRequestInput[];
  retention: { definitionId: string; keepVersions: number; accounts: BatchAccountRef[] }[];
  /** Definitions whose versions could not be read: nothing is built for them this time. */
  failures: { definitionId: string; reason: string }[];
}

/** Per watched definition with a refresh recipe: its versions, or why they could not be read. */
export type WatchedVersions = Record<string, { versions: VersionSummary[] } | { error: string }>;

/** The refresh timer's reads, and nothing decided: the versions of every definition it may rebuild. */
export async function readWatchedVersions(
  factory: FactoryConfig,
  gallery: GalleryPort,
): Promise<WatchedVersions> {
  const out: WatchedVersions = {};
  for (const watched of factory.images) {
    if (!watched.refresh) continue;
    const definitionId = imageDefinitionId(watched.image);
    try {
      // A gallery or definition still to be made has no versions (the port says so, not an error).
      const galleryExists = (await gallery.getGalleryLocation(watched.image.galleryId)) !== undefined;
      out[definitionId] = { versions: galleryExists ? await gallery.listVersions(definitionId) : [] };
    } catch (error) {
      out[definitionId] = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return out;
}

/**
 * What the refresh timer does, from the versions it read: for every watched definition with a recipe
 * whose newest version is at least `every` old, a build of the next patch version with its follower
 * pools (replacing the pools of the newest version); and retention for every watched definition.
 */
export function planRefresh(
  factory: FactoryConfig,
  watchedVersions: WatchedVersions,
  now: Date,
): RefreshPlan {
  const plan: RefreshPlan = { builds: [], retention: [], failures: [] };
  for (const watched of factory.images) {
    const definitionId = imageDefinitionId(watched.image);
    plan.retention.push({
      definitionId,
      keepVersions: watched.retention.keepVersions,
      accounts: watched.followers.map((f) => f.account),
    });
    if (!watched.refresh) continue;
    const read = watchedVersions[definitionId] ?? { versions: [] };
    // A failure to read the versions must not start a build, which would otherwise be 1.0.0 next to
    // the versions we could not see.
    if ('error' in read) {
      plan.failures.push({
        definitionId,
        reason: `could not list its versions, so no refresh build was started: ${read.error}`,
      });
      continue;
    }
    const names = read.versions.map((v) => v.name);
    const newest = sortVersionsDescending(names)[0];
    const newestPublished = read.versions.find((v) => v.name === newest)?.publishedDate;
    if (!isRefreshDue(watched.refresh.every, newestPublished ? new Date(newestPublished) : undefined, now))
      continue;
    const version = chooseVersion({ image: { ...watched.image, version: 'auto' } }, names);
    plan.builds.push({
      requestId: refreshRequestId(definitionId, watched.image.definition, version),
      source: watched.refresh.source,
      image: { ...watched.image, version },
      replication: watched.refresh.replication,
      pools: followerPools(watched, version, newest),
      retention: watched.retention,
    });
  }
  return plan;
}
