import type { OsType } from '../domain/buildRequest';
import type { ProvisioningState } from './compute';

export interface TargetRegionSpec {
  name: string;
  replicaCount: number;
  storageAccountType: string;
  excludeFromLatest?: boolean;
}

export interface ImageDefinitionSpec {
  id: string;
  location: string;
  osType: OsType;
  hyperVGeneration: 'V1' | 'V2';
  identifier: { publisher: string; offer: string; sku: string };
  description?: string;
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
}

export interface VersionSummary {
  id: string;
  name: string;
  publishedDate?: string;
  excludeFromLatest: boolean;
  endOfLifeDate?: string;
  provisioningState: ProvisioningState['state'];
  targetRegions: TargetRegionSpec[];
}

/** Azure Compute Gallery: galleries, image definitions and versions. */
export interface GalleryPort {
  /** The gallery's region, or undefined when it does not exist. */
  getGalleryLocation(galleryId: string): Promise<string | undefined>;
  ensureGallery(galleryId: string, location: string): Promise<ProvisioningState>;
  /** Creates the definition, or checks an existing one: a different OS, state, generation or identifier is a permanent error naming both. */
  ensureImageDefinition(spec: ImageDefinitionSpec): Promise<ProvisioningState>;
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
  /** PATCH the target regions: re-requests failed regions and applies new replica counts. */
  updateTargetRegions(versionId: string, targetRegions: TargetRegionSpec[]): Promise<void>;
  listVersions(definitionId: string): Promise<VersionSummary[]>;
  /** Retention: hide from "latest" and/or set end of life. */
  updateVersionPublishing(
    versionId: string,
    changes: { excludeFromLatest?: boolean; endOfLifeDate?: string },
  ): Promise<void>;
  beginDeleteVersion(versionId: string): Promise<void>;
}
