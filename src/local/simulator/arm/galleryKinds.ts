import { ArmFailure, invalidParameter } from './armErrors';
import { isReady, newResource, normalizeLocation, type KindContext, type ResourceKind } from './kinds';
import { TIMING, replicationMs } from '../timing';
import { query } from '../http';
import { takeFault } from '../faults';
import type { ArmResource, RegionReplication } from '../model';
import type { World } from '../world';
import { checkImageDefinition } from './imageDefinitionRules';
import { requireVersionSourcesInRegion } from './versionSourceRules';

const GALLERY_NAME = /^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$/;
const VERSION_NAME = /^\d+\.\d+\.\d+$/;
const MAX_REPLICAS = 100;

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
    const properties: Record<string, any> = { hyperVGeneration: 'V1', ...p };
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

interface TargetRegion {
  name: string;
  regionalReplicaCount?: number;
  storageAccountType?: string;
  excludeFromLatest?: boolean;
  [key: string]: unknown;
}

function validateTargetRegions(regions: unknown, location: string): TargetRegion[] {
  if (!Array.isArray(regions) || regions.length === 0) {
    throw invalidParameter(
      'publishingProfile.targetRegions must list at least one region.',
      'publishingProfile.targetRegions',
    );
  }
  const seen = new Set<string>();
  for (const [i, region] of (regions as TargetRegion[]).entries()) {
    if (!region?.name)
      throw invalidParameter(
        `targetRegions[${i}].name is required.`,
        `publishingProfile.targetRegions[${i}].name`,
      );
    const key = normalizeLocation(region.name);
    if (seen.has(key))
      throw invalidParameter(
        `Region '${region.name}' is listed twice in targetRegions.`,
        'publishingProfile.targetRegions',
      );
    seen.add(key);
    const count = region.regionalReplicaCount ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_REPLICAS) {
      throw invalidParameter(
        `The regionalReplicaCount ${count} for region '${region.name}' is out of range: a gallery image version can have 1 to ${MAX_REPLICAS} replicas per region.`,
        `publishingProfile.targetRegions[${i}].regionalReplicaCount`,
      );
    }
  }
  if (!seen.has(location)) {
    throw invalidParameter(
      `The target regions must include the region of the gallery image version ('${location}').`,
      'publishingProfile.targetRegions',
    );
  }
  return regions as TargetRegion[];
}

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

function sourceOf(storage: Record<string, any>): string | undefined {
  return storage.source?.id ?? storage.osDiskImage?.source?.id;
}

export const galleryImageVersionKind: ResourceKind = {
  type: 'Microsoft.Compute/galleries/images/versions',
  deleteMs: TIMING.versionDeleteMs,
  put(ctx) {
    requireLocation(ctx);
    const name = ctx.path.names.at(-1)!;
    if (!VERSION_NAME.test(name))
      throw invalidParameter(
        `The gallery image version name '${name}' is invalid: use major.minor.patch.`,
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
    const profile = (ctx.body.properties?.publishingProfile ?? {}) as Record<string, any>;
    const storage = (ctx.body.properties?.storageProfile ?? {}) as Record<string, any>;
    const regions = validateTargetRegions(profile.targetRegions, location);

    if (ctx.existing) {
      if (
        sourceOf(storage) &&
        sourceOf(ctx.existing.properties.storageProfile as Record<string, any>)?.toLowerCase() !==
          sourceOf(storage)?.toLowerCase()
      ) {
        throw new ArmFailure(
          409,
          'PropertyChangeNotAllowed',
          "Changing property 'storageProfile.source' is not allowed.",
          'properties.storageProfile',
        );
      }
      return updateRegions(ctx, ctx.existing, profile, regions);
    }

    const sourceId = sourceOf(storage);
    if (!sourceId)
      throw invalidParameter(
        "Required parameter 'storageProfile.source.id' (or osDiskImage.source.id) is missing.",
        'properties.storageProfile',
      );
    requireVersionSourcesInRegion(ctx.world, storage, location);
    const source = ctx.world.resource(sourceId);
    const allowed = [
      'microsoft.compute/images',
      'microsoft.compute/snapshots',
      'microsoft.compute/disks',
      'microsoft.compute/virtualmachines',
      'microsoft.compute/galleries/images/versions',
    ];
    if (!source || !allowed.includes(source.type))
      throw new ArmFailure(
        404,
        'NotFound',
        `The source ${sourceId} was not found.`,
        'properties.storageProfile.source.id',
      );
    if (!isReady(source, ctx.world.now()))
      throw new ArmFailure(
        409,
        'Conflict',
        `The source ${sourceId} has not finished provisioning.`,
        'properties.storageProfile.source.id',
      );
    const sourceOs = (source.properties.storageProfile as any)?.osDisk?.osType ?? source.properties.osType;
    if (sourceOs && imageDefinition.properties.osType && sourceOs !== imageDefinition.properties.osType) {
      throw invalidParameter(
        `The source OS type ${sourceOs} does not match the gallery image's OS type ${imageDefinition.properties.osType}.`,
        'properties.storageProfile',
      );
    }
    const dataDisks = ((storage.dataDiskImages ?? []) as Record<string, any>[]).map((d) => {
      const disk = ctx.world.resource(d.source?.id ?? '');
      if (!disk)
        throw new ArmFailure(
          404,
          'NotFound',
          `The data disk source ${d.source?.id} was not found.`,
          'properties.storageProfile.dataDiskImages',
        );
      return {
        lun: d.lun,
        sizeInGB: Number(disk.properties.diskSizeGB ?? 0),
        hostCaching: d.hostCaching ?? 'None',
        source: d.source,
      };
    });
    const sizeGb = source.sizeGb ?? Number(source.properties.diskSizeGB ?? 30);
    const now = ctx.world.now();
    const properties = {
      publishingProfile: {
        ...profile,
        targetRegions: regions.map(withRegionDefaults),
        replicaCount: profile.replicaCount ?? 1,
        excludeFromLatest: Boolean(profile.excludeFromLatest),
        publishedDate: new Date(now).toISOString(),
        storageAccountType: profile.storageAccountType ?? 'Standard_LRS',
      },
      storageProfile: {
        ...storage,
        osDiskImage: {
          ...(storage.osDiskImage ?? {}),
          sizeInGB: Math.round(sizeGb),
          hostCaching: storage.osDiskImage?.hostCaching ?? 'ReadOnly',
        },
        dataDiskImages: dataDisks,
      },
      safetyProfile: {
        allowDeletionOfReplicatedLocations: false,
        reportedForPolicyViolation: false,
        blockDeletionBeforeEndOfLife: false,
        ...(ctx.body.properties?.safetyProfile ?? {}),
      },
    };
    const version = newResource(ctx, this.type, properties, 1);
    version.sizeGb = sizeGb;
    const start = now + TIMING.versionPrepareMs;
    version.replication = regions.map((r) =>
      startRegion(ctx.world, version, r, start, 1, location, ctx.timing),
    );
    settle(version);
    return version;
  },
  patch(ctx) {
    const profile = (ctx.body.properties?.publishingProfile ?? {}) as Record<string, any>;
    const regions = profile.targetRegions
      ? validateTargetRegions(profile.targetRegions, ctx.existing.location)
      : ((ctx.existing.properties.publishingProfile as Record<string, any>).targetRegions as TargetRegion[]);
    return updateRegions(ctx, ctx.existing, profile, regions);
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

function withRegionDefaults(r: TargetRegion): TargetRegion {
  return {
    ...r,
    regionalReplicaCount: r.regionalReplicaCount ?? 1,
    storageAccountType: r.storageAccountType ?? 'Standard_LRS',
    excludeFromLatest: r.excludeFromLatest ?? false,
  };
}

/**
 * A PATCH (or re-PUT) of target regions: new regions start now, a failed region or one whose replica
 * count changed restarts, dropped regions go. This is how a single failed region is retried.
 */
function updateRegions(
  ctx: KindContext,
  existing: ArmResource,
  profile: Record<string, any>,
  regions: TargetRegion[],
): ArmResource {
  const now = ctx.world.now();
  const before = new Map((existing.replication ?? []).map((r) => [normalizeLocation(r.region), r]));
  const replication = regions.map((region) => {
    const key = normalizeLocation(region.name);
    const current = before.get(key);
    const status = current ? regionStatus(current, now).state : undefined;
    const replicas = region.regionalReplicaCount ?? 1;
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
  const oldProfile = existing.properties.publishingProfile as Record<string, any>;
  const updated: ArmResource = {
    ...existing,
    properties: {
      ...existing.properties,
      publishingProfile: { ...oldProfile, ...profile, targetRegions: regions.map(withRegionDefaults) },
    },
    replication,
    hidden: { ...(existing.hidden ?? {}), updating: true },
  };
  settle(updated);
  return updated;
}
