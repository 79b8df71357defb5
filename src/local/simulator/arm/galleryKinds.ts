import { ArmFailure, invalidParameter } from './armErrors';
import {
  newResource,
  normalizeLocation,
  provisioningState,
  type KindContext,
  type ResourceKind,
} from './kinds';
import {
  newPublishingProfile,
  requireFutureEndOfLife,
  updatedPublishingProfile,
  validateProfileFields,
  validateTargetRegions,
  type TargetRegion,
} from './versionPublishing';
import { resolveVersionSource, sourceKey } from './versionSource';
import { TIMING, replicationMs } from '../timing';
import { query } from '../http';
import { takeFault } from '../faults';
import type { ArmResource, RegionReplication } from '../model';
import type { World } from '../world';
import { checkImageDefinition } from './imageDefinitionRules';
import { requireVersionSourcesInRegion } from './versionSourceRules';
import { checkDefinitionSecurity, checkVersionSecurity } from './securityTypeRules';

const GALLERY_NAME = /^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$/;
const VERSION_NAME = /^\d+\.\d+\.\d+$/;
/** GalleryRP: "Digits must be within the range of a 32-bit integer" (galleryImageVersionName). */
const INT32_MAX = 2_147_483_647;
const versionNameValid = (name: string) =>
  VERSION_NAME.test(name) && name.split('.').every((part) => Number(part) <= INT32_MAX);

function requireLocation(ctx: KindContext): void {
  if (!ctx.body.location)
    throw new ArmFailure(400, 'LocationRequired', 'The location property is required for this definition.');
}

export const galleryKind: ResourceKind = {
  type: 'Microsoft.Compute/galleries',
  deleteMs: TIMING.deleteMs,
  put(ctx) {
    requireLocation(ctx);
    const name = ctx.path.names.at(-1)!;
    if (!GALLERY_NAME.test(name)) {
      throw invalidParameter(
        `The gallery name '${name}' is invalid: use letters, digits, dots and underscores (no hyphens).`,
        'galleryName',
      );
    }
    const properties = {
      ...(ctx.existing?.properties ?? {}),
      ...(ctx.body.properties ?? {}),
      identifier: { uniqueName: `${ctx.path.subscriptionId}-${name.toUpperCase()}` },
    };
    return ctx.existing
      ? { ...ctx.existing, properties }
      : newResource(ctx, this.type, properties, TIMING.galleryMs);
  },
  beforeDelete(resource, world) {
    if (world.children(resource.id, 'images').length > 0) {
      throw new ArmFailure(
        409,
        'CannotDeleteResource',
        `Gallery '${resource.name}' has image definitions; delete them first.`,
      );
    }
  },
};

const IMMUTABLE_IMAGE_PROPERTIES = ['osType', 'osState', 'hyperVGeneration'] as const;

export const galleryImageKind: ResourceKind = {
  type: 'Microsoft.Compute/galleries/images',
  deleteMs: TIMING.deleteMs,
  put(ctx) {
    requireLocation(ctx);
    const p = (ctx.body.properties ?? {}) as Record<string, any>;
    for (const field of ['osType', 'osState', 'identifier']) {
      if (!p[field])
        throw invalidParameter(`Required parameter '${field}' is missing (null).`, `properties.${field}`);
    }
    if (!['Linux', 'Windows'].includes(p.osType))
      throw invalidParameter(`osType '${p.osType}' is not valid: Linux or Windows.`, 'properties.osType');
    if (!['Generalized', 'Specialized'].includes(p.osState)) {
      throw invalidParameter(
        `osState '${p.osState}' is not valid: Generalized or Specialized.`,
        'properties.osState',
      );
    }
    checkImageDefinition(ctx.world, ctx.id, ctx.path.names.at(-1)!, p.identifier, !ctx.existing);
    if (p.endOfLifeDate !== ctx.existing?.properties.endOfLifeDate)
      requireFutureEndOfLife(p.endOfLifeDate, ctx.world.now(), 'properties.endOfLifeDate');
    const properties: Record<string, any> = { hyperVGeneration: 'V1', ...p };
    checkDefinitionSecurity(properties, ctx.existing);
    if (ctx.existing) {
      for (const field of IMMUTABLE_IMAGE_PROPERTIES) {
        if (String(ctx.existing.properties[field]) !== String(properties[field])) {
          throw new ArmFailure(
            409,
            'PropertyChangeNotAllowed',
            `Changing property 'galleryImage.properties.${field}' is not allowed (it is ${ctx.existing.properties[field]}).`,
            `properties.${field}`,
          );
        }
      }
      const before = JSON.stringify(ctx.existing.properties.identifier);
      if (before !== JSON.stringify(properties.identifier)) {
        throw new ArmFailure(
          409,
          'PropertyChangeNotAllowed',
          `Changing property 'galleryImage.properties.identifier' is not allowed (it is ${before}).`,
          'properties.identifier',
        );
      }
      return { ...ctx.existing, properties: { ...ctx.existing.properties, ...properties } };
    }
    return newResource(ctx, this.type, properties, TIMING.galleryImageMs);
  },
  beforeDelete(resource, world) {
    if (world.children(resource.id, 'versions').length > 0) {
      throw new ArmFailure(
        409,
        'CannotDeleteResource',
        `Gallery image '${resource.name}' has versions; delete them first.`,
      );
    }
  },
};

/** Starts (or restarts) replication of one region now, applying an injected failure if one matches. */
function startRegion(
  world: World,
  version: ArmResource,
  region: TargetRegion,
  startAt: number,
  attempt: number,
  homeRegion: string,
  timing: KindContext['timing'],
): RegionReplication {
  const name = normalizeLocation(region.name);
  const replicas = region.regionalReplicaCount ?? 1;
  const durationMs = replicationMs(name, version.sizeGb ?? 30, replicas, name === homeRegion, timing);
  const replication: RegionReplication = {
    region: region.name,
    replicaCount: replicas,
    storageAccountType: region.storageAccountType ?? 'Standard_LRS',
    startedAtSimMs: startAt,
    durationMs,
    attempt,
  };
  const fault = takeFault(world.state.faults, ['regionReplicationFail'], { region: name, path: version.id });
  if (fault) {
    replication.failAtSimMs = startAt + Math.round(durationMs * (fault.atFraction ?? 0.5));
    replication.failDetails =
      fault.message ??
      `Replication to region '${region.name}' failed: the copy to the regional storage account did not complete.`;
  }
  return replication;
}

export function regionStatus(r: RegionReplication, nowMs: number) {
  if (r.failAtSimMs !== undefined && nowMs >= r.failAtSimMs) {
    const progress = Math.floor((100 * (r.failAtSimMs - r.startedAtSimMs)) / r.durationMs);
    return { region: r.region, state: 'Failed', details: r.failDetails ?? '', progress };
  }
  if (nowMs < r.startedAtSimMs) return { region: r.region, state: 'Replicating', details: '', progress: 0 };
  if (nowMs >= r.startedAtSimMs + r.durationMs)
    return { region: r.region, state: 'Completed', details: '', progress: 100 };
  return {
    region: r.region,
    state: 'Replicating',
    details: '',
    progress: Math.floor((100 * (nowMs - r.startedAtSimMs)) / r.durationMs),
  };
}

/** When every region has finished (completed or failed). */
function replicationEnd(replication: RegionReplication[]): number {
  return Math.max(...replication.map((r) => r.failAtSimMs ?? r.startedAtSimMs + r.durationMs));
}

function settle(version: ArmResource): void {
  const replication = version.replication ?? [];
  version.readyAtSimMs = replicationEnd(replication);
  const failed = replication.filter((r) => r.failAtSimMs !== undefined);
  version.failure = failed.length
    ? {
        code: 'ReplicationFailed',
        message: `Replication failed in ${failed.map((r) => r.region).join(', ')}.`,
      }
    : undefined;
}

/** A write while the version is still being created or updated: ARM's documented 409 for a concurrent operation. */
function refuseWhileBusy(existing: ArmResource, nowMs: number): void {
  const state = provisioningState(existing, nowMs);
  if (state === 'Creating' || state === 'Updating') {
    throw new ArmFailure(
      409,
      'AnotherOperationInProgress',
      `Gallery image version '${existing.name}' is ${state}: wait for its provisioningState to be Succeeded or Failed before writing to it again.`,
    );
  }
}

/** GalleryImageVersionProperties requires storageProfile, on PATCH as on PUT (Microsoft's examples send `{}`). */
function requireStorageProfile(ctx: KindContext): Record<string, any> {
  const storage = ctx.body.properties?.storageProfile;
  if (storage === undefined || storage === null || typeof storage !== 'object')
    throw invalidParameter(
      "Required parameter 'storageProfile' is missing (null): send properties.storageProfile (an empty object keeps the source).",
      'properties.storageProfile',
    );
  return storage as Record<string, any>;
}

export const galleryImageVersionKind: ResourceKind = {
  type: 'Microsoft.Compute/galleries/images/versions',
  deleteMs: TIMING.versionDeleteMs,
  put(ctx) {
    requireLocation(ctx);
    const name = ctx.path.names.at(-1)!;
    if (!versionNameValid(name))
      throw invalidParameter(
        `The image version name is invalid. The image version name should follow Major(int).Minor(int).Patch(int) format, for e.g: 1.0.0, 2018.12.1 etc.; each part is a 32-bit integer, at most 2147483647 (got '${name}').`,
        'galleryImageVersionName',
      );
    const imageDefinition = ctx.world.resource(ctx.id.split('/').slice(0, -2).join('/'))!;
    const location = normalizeLocation(String(ctx.body.location));
    const gallery = ctx.world.resource(ctx.id.split('/').slice(0, -4).join('/'));
    if (gallery && gallery.location !== location) {
      throw invalidParameter(
        `The location '${location}' of the gallery image version must be the gallery's location '${gallery.location}'.`,
        'location',
      );
    }
    if (ctx.existing) return update(ctx, ctx.existing);
    const storage = requireStorageProfile(ctx);
    const profile = (ctx.body.properties?.publishingProfile ?? {}) as Record<string, any>;
    const regions = validateTargetRegions(profile.targetRegions, location);
    const now = ctx.world.now();
    validateProfileFields(profile, now);
    requireVersionSourcesInRegion(ctx.world, storage, location);
    checkVersionSecurity(ctx.world, storage, imageDefinition);
    const source = resolveVersionSource(ctx.world, storage);
    if (
      source.osType &&
      imageDefinition.properties.osType &&
      source.osType !== imageDefinition.properties.osType
    ) {
      throw invalidParameter(
        `The resource with id '${sourceKey(storage)}' has a different OS type ['${source.osType}'] than the parent gallery image OS type ['${imageDefinition.properties.osType}'].`,
        'properties.storageProfile',
      );
    }
    const publishingProfile = newPublishingProfile(
      profile,
      regions,
      query(ctx.req, 'api-version') ?? '',
      now,
    );
    const properties = {
      publishingProfile,
      storageProfile: source.storageProfile,
      safetyProfile: {
        allowDeletionOfReplicatedLocations: false,
        reportedForPolicyViolation: false,
        blockDeletionBeforeEndOfLife: false,
        ...(ctx.body.properties?.safetyProfile ?? {}),
      },
    };
    const version = newResource(ctx, this.type, properties, 1);
    version.sizeGb = source.sizeGb;
    const start = now + TIMING.versionPrepareMs;
    version.replication = (publishingProfile.targetRegions as TargetRegion[]).map((r) =>
      startRegion(ctx.world, version, r, start, 1, location, ctx.timing),
    );
    settle(version);
    return version;
  },
  patch(ctx) {
    return update(ctx, ctx.existing);
  },
  render(resource, world, req) {
    const expand = query(req, '$expand');
    if (expand?.toLowerCase() !== 'replicationstatus') return {};
    const summary = (resource.replication ?? []).map((r) => regionStatus(r, world.now()));
    const states = summary.map((s) => s.state);
    const aggregatedState = states.includes('Replicating')
      ? 'InProgress'
      : states.includes('Failed')
        ? 'Failed'
        : states.length && states.every((s) => s === 'Completed')
          ? 'Completed'
          : 'Unknown';
    return { replicationStatus: { aggregatedState, summary } };
  },
};

/** PATCH, or PUT on an existing version: refused while busy; storageProfile required; the source cannot change. */
function update(ctx: KindContext, existing: ArmResource): ArmResource {
  refuseWhileBusy(existing, ctx.world.now());
  const storage = requireStorageProfile(ctx);
  const before = sourceKey(existing.properties.storageProfile as Record<string, any>);
  const after = sourceKey(storage);
  if (after !== undefined && after !== before) {
    throw new ArmFailure(
      409,
      'PropertyChangeNotAllowed',
      "Changing property 'galleryImageVersion.properties.storageProfile.source.id' is not allowed.",
      'properties.storageProfile',
    );
  }
  const profile = (ctx.body.properties?.publishingProfile ?? {}) as Record<string, any>;
  const oldProfile = existing.properties.publishingProfile as Record<string, any>;
  // Sending back the end of life a version already has is no change, even once that date has passed.
  const unchangedEndOfLife =
    profile.endOfLifeDate !== undefined &&
    Date.parse(String(profile.endOfLifeDate)) === Date.parse(String(oldProfile.endOfLifeDate));
  validateProfileFields(
    unchangedEndOfLife ? { ...profile, endOfLifeDate: undefined } : profile,
    ctx.world.now(),
  );
  const regions = profile.targetRegions
    ? validateTargetRegions(profile.targetRegions, existing.location)
    : (oldProfile.targetRegions as TargetRegion[]);
  const publishingProfile = updatedPublishingProfile(oldProfile, profile, regions);
  const updated = updateRegions(ctx, existing, publishingProfile.targetRegions as TargetRegion[]);
  updated.properties = {
    ...updated.properties,
    publishingProfile,
    ...(ctx.body.properties?.safetyProfile
      ? {
          safetyProfile: {
            ...(existing.properties.safetyProfile as object),
            ...ctx.body.properties.safetyProfile,
          },
        }
      : {}),
  };
  if (ctx.body.tags) updated.tags = ctx.body.tags as Record<string, string>;
  return updated;
}

/**
 * A PATCH (or re-PUT) of target regions: new regions start now, a failed region or one whose replica
 * count changed restarts, dropped regions go. This is how a single failed region is retried.
 */
function updateRegions(ctx: KindContext, existing: ArmResource, regions: TargetRegion[]): ArmResource {
  const now = ctx.world.now();
  const before = new Map((existing.replication ?? []).map((r) => [normalizeLocation(r.region), r]));
  const replication = regions.map((region) => {
    const key = normalizeLocation(region.name);
    const current = before.get(key);
    const status = current ? regionStatus(current, now).state : undefined;
    const replicas = region.regionalReplicaCount ?? current?.replicaCount ?? 1;
    if (current && status !== 'Failed' && current.replicaCount === replicas) return current;
    return startRegion(
      ctx.world,
      existing,
      region,
      now,
      (current?.attempt ?? 0) + 1,
      existing.location,
      ctx.timing,
    );
  });
  const updated: ArmResource = {
    ...existing,
    replication,
    hidden: { ...(existing.hidden ?? {}), updating: true },
  };
  settle(updated);
  return updated;
}
