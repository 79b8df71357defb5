import { replicationSchema, type BuildRequest, type PoolRequest } from '../buildRequest';
import { poolIdForVersion, type WatchedImage } from '../factoryConfig';
import type { OrchestrationSettings, RolloutVersionInput } from '../pipeline';
import type { TargetRegionSpec } from '../targetRegions';
import { compareVersions } from '../version';
import { planPipeline } from './pipelinePlan';

/**
 * A watched image's follower pools for `version`: a pool id of their own from the template (a pool's
 * image cannot change in place), replacing the pools of `previous`. The refresh timer's builds and the
 * Event Grid follower rollouts both make their pools here.
 */
export function followerPools(watched: WatchedImage, version: string, previous?: string): PoolRequest[] {
  return watched.followers.map(({ poolIdTemplate, ...pool }) => ({
    ...pool,
    poolId: poolIdForVersion(poolIdTemplate, version),
    ...(previous ? { replaces: poolIdForVersion(poolIdTemplate, previous) } : {}),
  }));
}

/** The newest of `versionNames` older than `version`: the one whose pools a new version replaces. */
function previousVersion(versionNames: readonly string[], version: string): string | undefined {
  return versionNames
    .filter((name) => compareVersions(name, version) < 0)
    .sort(compareVersions)
    .at(-1);
}

/** What the Event Grid trigger read before a follower rollout. */
export interface FollowerFacts {
  now: Date;
  /** The versions of the watched definition, the new one included. */
  versionNames: readonly string[];
  /** The new version's target regions as they are now. */
  existingTargets: TargetRegionSpec[];
}

/**
 * A follower rollout of an existing version, planned by the same step as a build: the watched image as
 * a build request whose source is that version, so replicas and pool specs follow the same rules.
 */
export function planFollowerRollout(
  watched: WatchedImage,
  versionId: string,
  facts: FollowerFacts,
  settings: OrchestrationSettings,
): RolloutVersionInput {
  const version = versionId.split('/').at(-1)!;
  const request = followerRequest(watched, versionId, version, facts);
  const plan = planPipeline(request, {
    now: facts.now,
    instanceId: '',
    source: { found: true, facts: { osState: 'Generalized' } },
    versionNames: facts.versionNames,
    existingVersion: { tags: {}, targetRegions: facts.existingTargets },
  });
  return {
    requestId: request.requestId,
    versionId,
    targetRegions: plan.targetRegions,
    pools: plan.pools,
    settings,
  };
}

function followerRequest(
  watched: WatchedImage,
  versionId: string,
  version: string,
  facts: FollowerFacts,
): BuildRequest {
  // The watched image's own replication settings (its refresh recipe); without them, the schema's
  // default headroom and the storage type the version was published with.
  const defaults = replicationSchema.parse({});
  const replication = watched.refresh?.replication ?? {
    ...defaults,
    storageAccountType:
      (facts.existingTargets.find((t) => t.storageAccountType)?.storageAccountType as
        (typeof defaults)['storageAccountType'] | undefined) ?? defaults.storageAccountType,
  };
  return {
    requestId: `rollout-${watched.image.definition}-${version}`,
    source: { type: 'galleryImageVersion', id: versionId },
    image: { ...watched.image, version },
    replication,
    pools: followerPools(watched, version, previousVersion(facts.versionNames, version)),
    retention: watched.retention,
  };
}
