import type { OsType } from '../domain/buildRequest';
import { TransientError } from '../domain/errors';
import type { ProvisioningState } from './compute';
import type { Architecture, DefinitionSecurityType } from '../domain/planning/securityType';
import type { TargetRegionSpec } from '../domain/targetRegions';

export type { TargetRegionSpec };

/**
 * Azure refuses writes to a version that is still Creating or Updating (409). Not a failure: the caller
 * waits (an orchestrator with a durable timer) and asks again once the version is Succeeded or Failed.
 */
export class VersionBusyError extends TransientError {
  constructor(versionId: string, state: string) {
    super(
      `Image version ${versionId} is ${state}: Azure accepts no write to it until that ends; waiting.`,
      'VersionBusy',
      versionId,
    );
  }
}

/** What a target-region update did: applied, or deferred because the version was busy. */
export type RegionUpdate = { applied: true } | { applied: false; reason: string };

export interface ImageDefinitionSpec {
  id: string;
  location: string;
  osType: OsType;
  hyperVGeneration: 'V1' | 'V2';
  identifier: { publisher: string; offer: string; sku: string };
  description?: string;
  /** The `SecurityType` feature (absent or Standard: no feature). */
  securityType?: DefinitionSecurityType;
  /** Absent: x64, Azure's default. */
  architecture?: Architecture;
  /**
   * The version will be copied from a VM's or snapshots' disks (not from a managed image or gallery
   * version): a "…Supported" definition then is no match, as GalleryRP takes no such source into it.
   */
  fromDisks?: boolean;
}

export type VersionSource =
  | { managedImageId: string }
  | { osSnapshotId: string; dataDisks: { lun: number; snapshotId: string }[] }
  | { versionId: string };

export interface RegionReplication {
  region: string;
  state: 'Unknown' | 'Replicating' | 'Completed' | 'Failed';
  progress: number;
  details?: string;
}

export interface VersionReplication {
  id: string;
  provisioningState: ProvisioningState['state'];
  regions: RegionReplication[];
  targetRegions: TargetRegionSpec[];
  tags: Record<string, string>;
  /** OS plus data disk images (`storageProfile.*.sizeInGB`), when Azure reports them: learned timings. */
  sizeGb?: number;
}

export interface VersionSummary {
  id: string;
  name: string;
  publishedDate?: string;
  excludeFromLatest: boolean;
  endOfLifeDate?: string;
  provisioningState: ProvisioningState['state'];
  targetRegions: TargetRegionSpec[];
  /** The version's tags (which build made it: OWNER_TAG); absent where a listing does not give them. */
  tags?: Record<string, string>;
}

/** Azure Compute Gallery: galleries, image definitions and versions. */
export interface GalleryPort {
  /** The gallery's region, or undefined when it does not exist. */
  getGalleryLocation(galleryId: string): Promise<string | undefined>;
  ensureGallery(galleryId: string, location: string): Promise<ProvisioningState>;
  /** Creates the definition, or checks an existing one: a different OS, state, generation or identifier is a permanent error naming both. */
  ensureImageDefinition(spec: ImageDefinitionSpec): Promise<ProvisioningState>;
  /**
   * Starts the version, or finds the one an earlier attempt of the same build started (same owner tag):
   * a retried activity must not fail on its own version. A version owned by someone else is a permanent error.
   */
  beginImageVersion(spec: {
    id: string;
    location: string;
    source: VersionSource;
    targetRegions: TargetRegionSpec[];
    excludeFromLatest: boolean;
    endOfLifeDate?: string;
    tags?: Record<string, string>;
  }): Promise<ProvisioningState>;
  getReplication(versionId: string): Promise<VersionReplication>;
  /**
   * PATCH the target regions: re-requests failed regions, adds regions, raises replica counts (never
   * lowers them, never drops a region). Everything else of the publishing profile is sent back as it is.
   * Throws {@link VersionBusyError} while the version is Creating or Updating.
   */
  updateTargetRegions(versionId: string, targetRegions: TargetRegionSpec[]): Promise<void>;
  /** Empty when the gallery or the definition does not exist (yet). */
  listVersions(definitionId: string): Promise<VersionSummary[]>;
  /** Retention: hide from "latest" and/or set a (future) end of life. Throws {@link VersionBusyError} while busy. */
  updateVersionPublishing(
    versionId: string,
    changes: { excludeFromLatest?: boolean; endOfLifeDate?: string },
  ): Promise<void>;
  beginDeleteVersion(versionId: string): Promise<void>;
}
