import { ArmFailure, invalidParameter } from './armErrors';
import { normalizeLocation } from './kinds';

/**
 * The publishing profile of a gallery image version as GalleryRP defines it (GalleryRP.json,
 * GalleryArtifactPublishingProfileBase / TargetRegion / StorageAccountStrategy): target regions, the
 * storage account type or strategy, replication mode and end of life, validated on create and update.
 */

export interface TargetRegion {
  name: string;
  regionalReplicaCount?: number;
  storageAccountType?: string;
  excludeFromLatest?: boolean;
  encryption?: unknown;
  [key: string]: unknown;
}

const MAX_REPLICAS = 100;
const STORAGE_ACCOUNT_TYPES = ['Standard_LRS', 'Standard_ZRS', 'Premium_LRS', 'PremiumV2_LRS'];
const STRATEGIES = ['PreferStandard_ZRS', 'DefaultStandard_LRS'];
const REPLICATION_MODES = ['Full', 'Shallow'];
/** First api-version whose omitted storageAccountStrategy means PreferStandard_ZRS (StorageAccountStrategy). */
const ZRS_DEFAULT_SINCE = '2025-03-03';

/**
 * Regions with availability zones, where Standard_ZRS exists (learn.microsoft.com/azure/reliability/
 * availability-zones-region-support). PreferStandard_ZRS falls back to Standard_LRS elsewhere, which is
 * why the official example answers West US with Standard_LRS and East US with Standard_ZRS.
 */
const ZRS_REGIONS = new Set([
  'eastus',
  'eastus2',
  'centralus',
  'southcentralus',
  'westus2',
  'westus3',
  'canadacentral',
  'brazilsouth',
  'mexicocentral',
  'northeurope',
  'westeurope',
  'uksouth',
  'francecentral',
  'germanywestcentral',
  'swedencentral',
  'switzerlandnorth',
  'norwayeast',
  'polandcentral',
  'italynorth',
  'spaincentral',
  'israelcentral',
  'qatarcentral',
  'uaenorth',
  'southafricanorth',
  'centralindia',
  'japaneast',
  'koreacentral',
  'southeastasia',
  'eastasia',
  'australiaeast',
  'newzealandnorth',
  'chinanorth3',
]);

export function validateTargetRegions(regions: unknown, location: string): TargetRegion[] {
  if (!Array.isArray(regions) || regions.length === 0) {
    throw invalidParameter(
      'publishingProfile.targetRegions must list at least one region.',
      'publishingProfile.targetRegions',
    );
  }
  const seen = new Set<string>();
  for (const [i, region] of (regions as TargetRegion[]).entries()) {
    const at = `publishingProfile.targetRegions[${i}]`;
    if (!region?.name) throw invalidParameter(`targetRegions[${i}].name is required.`, `${at}.name`);
    const key = normalizeLocation(region.name);
    if (seen.has(key))
      throw invalidParameter(
        `Duplicate regions are not allowed in target publishing regions ('${region.name}').`,
        'publishingProfile.targetRegions',
      );
    seen.add(key);
    const count = region.regionalReplicaCount ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_REPLICAS) {
      throw invalidParameter(
        `The regionalReplicaCount ${count} for region '${region.name}' is out of range: a gallery image version can have 1 to ${MAX_REPLICAS} replicas per region.`,
        `${at}.regionalReplicaCount`,
      );
    }
    oneOf(region.storageAccountType, STORAGE_ACCOUNT_TYPES, `${at}.storageAccountType`);
  }
  if (!seen.has(location)) {
    throw invalidParameter(
      `Gallery image version publishing profile regions must contain the location of the image version ('${location}').`,
      'publishingProfile.targetRegions',
    );
  }
  return regions as TargetRegion[];
}

/** Field checks common to create and update. */
export function validateProfileFields(profile: Record<string, any>, nowMs: number): void {
  oneOf(profile.storageAccountType, STORAGE_ACCOUNT_TYPES, 'publishingProfile.storageAccountType');
  oneOf(profile.storageAccountStrategy, STRATEGIES, 'publishingProfile.storageAccountStrategy');
  oneOf(profile.replicationMode, REPLICATION_MODES, 'publishingProfile.replicationMode');
  if (profile.storageAccountType !== undefined && profile.storageAccountStrategy !== undefined) {
    throw invalidParameter(
      'storageAccountStrategy cannot be specified along with storageAccountType: choose one (a region can still override it with targetRegions[].storageAccountType).',
      'publishingProfile.storageAccountStrategy',
    );
  }
  requireFutureEndOfLife(profile.endOfLifeDate, nowMs, 'publishingProfile.endOfLifeDate');
}

/** "EndOfLifeDate must be set to a future date." (troubleshooting-shared-images). */
export function requireFutureEndOfLife(value: unknown, nowMs: number, target: string): void {
  if (value === undefined || value === null) return;
  const at = Date.parse(String(value));
  if (!Number.isFinite(at))
    throw invalidParameter(`endOfLifeDate '${String(value)}' is not an ISO 8601 date.`, target);
  if (at <= nowMs)
    throw invalidParameter(
      `EndOfLifeDate must be set to a future date (got ${String(value)}, it is now ${new Date(nowMs).toISOString()}).`,
      target,
    );
}

/**
 * The stored profile of a new version: storageAccountType or storageAccountStrategy (never both; the
 * strategy defaults to PreferStandard_ZRS from api-version 2025-03-03), each region's effective storage
 * account type and replica count resolved the way the spec describes.
 */
export function newPublishingProfile(
  profile: Record<string, any>,
  regions: TargetRegion[],
  apiVersion: string,
  publishedAtMs: number,
): Record<string, unknown> {
  const storage: Record<string, string> =
    profile.storageAccountType !== undefined
      ? { storageAccountType: profile.storageAccountType }
      : profile.storageAccountStrategy !== undefined
        ? { storageAccountStrategy: profile.storageAccountStrategy }
        : apiVersion >= ZRS_DEFAULT_SINCE
          ? { storageAccountStrategy: 'PreferStandard_ZRS' }
          : { storageAccountType: 'Standard_LRS' };
  const replicaCount = profile.replicaCount ?? 1;
  return {
    ...profile,
    ...storage,
    targetRegions: regions.map((r) => resolveRegion(r, storage, replicaCount)),
    replicaCount,
    excludeFromLatest: Boolean(profile.excludeFromLatest),
    publishedDate: new Date(publishedAtMs).toISOString(),
  };
}

/**
 * An update: arrays replace (ARM PATCH is a JSON merge patch), scalars merge. Properties the spec marks
 * "not updatable" (storageAccountType, storageAccountStrategy, replicationMode, a region's
 * storageAccountType) may be sent again unchanged but not changed.
 */
export function updatedPublishingProfile(
  existing: Record<string, any>,
  profile: Record<string, any>,
  regions: TargetRegion[],
): Record<string, unknown> {
  for (const field of ['storageAccountType', 'storageAccountStrategy', 'replicationMode']) {
    if (profile[field] !== undefined && profile[field] !== (existing[field] ?? defaultOf(field))) {
      throw notUpdatable(`publishingProfile.${field}`, existing[field] ?? defaultOf(field));
    }
  }
  const before = new Map(
    ((existing.targetRegions ?? []) as TargetRegion[]).map((r) => [normalizeLocation(r.name), r]),
  );
  for (const [i, region] of regions.entries()) {
    const old = before.get(normalizeLocation(region.name));
    if (
      old &&
      region.storageAccountType !== undefined &&
      region.storageAccountType !== old.storageAccountType
    )
      throw notUpdatable(`publishingProfile.targetRegions[${i}].storageAccountType`, old.storageAccountType);
  }
  const storage: Record<string, string> = existing.storageAccountType
    ? { storageAccountType: existing.storageAccountType }
    : { storageAccountStrategy: existing.storageAccountStrategy ?? 'PreferStandard_ZRS' };
  const replicaCount = profile.replicaCount ?? existing.replicaCount ?? 1;
  return {
    ...existing,
    ...profile,
    ...storage,
    publishedDate: existing.publishedDate,
    replicaCount,
    targetRegions: regions.map((r) => {
      const old = before.get(normalizeLocation(r.name));
      return resolveRegion(
        { ...r, storageAccountType: r.storageAccountType ?? old?.storageAccountType },
        storage,
        replicaCount,
      );
    }),
  };
}

function resolveRegion(
  region: TargetRegion,
  storage: Record<string, string>,
  replicaCount: number,
): TargetRegion {
  const zrs = ZRS_REGIONS.has(normalizeLocation(region.name));
  const byStrategy =
    storage.storageAccountType ??
    (storage.storageAccountStrategy === 'PreferStandard_ZRS' && zrs ? 'Standard_ZRS' : 'Standard_LRS');
  return {
    ...region,
    regionalReplicaCount: region.regionalReplicaCount ?? replicaCount,
    storageAccountType: region.storageAccountType ?? byStrategy,
    excludeFromLatest: region.excludeFromLatest ?? false,
  };
}

function defaultOf(field: string): string | undefined {
  return field === 'replicationMode' ? 'Full' : undefined;
}

function notUpdatable(target: string, current: unknown): ArmFailure {
  return new ArmFailure(
    409,
    'PropertyChangeNotAllowed',
    `Changing property '${target}' is not allowed (it is ${String(current)}); the REST spec marks it not updatable.`,
    target,
  );
}

function oneOf(value: unknown, allowed: string[], target: string): void {
  if (value !== undefined && !allowed.includes(String(value)))
    throw invalidParameter(
      `'${String(value)}' is not a valid value for ${target}: use ${allowed.join(', ')}.`,
      target,
    );
}
