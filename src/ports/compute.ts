import type { DefinitionReading } from '../domain/planning/pipelinePlan';
import type { SourceFacts } from '../domain/planning/preflight';
import type { OsType } from '../domain/buildRequest';
import type { Architecture, SourceSecurityType } from '../domain/planning/securityType';

/** Provisioning of an ARM resource as the pipeline cares about it. */
export interface ProvisioningState {
  id: string;
  state: 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting' | 'NotFound';
  /** Azure's error when it failed. */
  error?: { code: string; message: string };
  /**
   * Snapshots with a background copy (CopyStart across regions, Premium SSD v2 / Ultra disks) say
   * Succeeded before their data has arrived: only 100 here means usable. Absent = nothing to wait for.
   */
  completionPercent?: number;
}

export interface DiskToCapture {
  /** Managed disk id; undefined for an unmanaged (VHD) disk. */
  id?: string;
  lun?: number;
  sizeGb: number;
  /** The disk's storage type, e.g. Premium_LRS, PremiumV2_LRS, UltraSSD_LRS. */
  sku?: string;
}

export interface VmInspection {
  id: string;
  location: string;
  facts: SourceFacts;
  osDisk: DiskToCapture;
  dataDisks: (DiskToCapture & { lun: number })[];
}

/** A snapshot as a resource group lists it: enough to tell whose it is and how old. */
export interface SnapshotListing {
  id: string;
  tags: Record<string, string>;
  /** ISO time Azure created it (properties.timeCreated); absent when Azure does not say. */
  timeCreated?: string;
}

export interface SnapshotInspection {
  id: string;
  location: string;
  osType?: OsType;
  hyperVGeneration?: 'V1' | 'V2';
  sizeGb: number;
  encrypted: boolean;
  /** Whether the snapshot is incremental (the only kind CopyStart copies across regions). */
  incremental?: boolean;
  state: ProvisioningState['state'];
  /** DiskRP `securityProfile.securityType`, reduced (absent on the snapshot: Standard). */
  securityType?: SourceSecurityType;
  /** DiskRP `supportedCapabilities.architecture`, when reported. */
  architecture?: Architecture;
}

/** A gallery image definition's name and publisher/offer/sku (unique within its gallery), security type, architecture. */
export type ImageDefinitionIdentity = DefinitionReading;

/** Compute resources: the build VM, snapshots and managed images. */
export interface ComputePort {
  inspectVirtualMachine(vmId: string): Promise<VmInspection>;
  inspectSnapshot(snapshotId: string): Promise<SnapshotInspection>;
  /**
   * PUT an incremental snapshot of disk `sourceId` (idempotent: the same name finds the same snapshot).
   * Incremental because it is the only kind CopyStart copies across regions and the only kind Premium
   * SSD v2 and Ultra disks allow.
   */
  beginSnapshot(spec: {
    id: string;
    location: string;
    sourceId: string;
    tags?: Record<string, string>;
  }): Promise<ProvisioningState>;
  /**
   * PUT an incremental snapshot in `location` copying incremental snapshot `sourceSnapshotId` from
   * another region (createOption CopyStart). Usable once getProvisioning reports completionPercent 100.
   */
  beginSnapshotCopy(spec: {
    id: string;
    location: string;
    sourceSnapshotId: string;
    tags?: Record<string, string>;
  }): Promise<ProvisioningState>;
  /** A managed image's region and state (NotFound when missing). */
  inspectManagedImage(imageId: string): Promise<{
    id: string;
    location?: string;
    state: ProvisioningState['state'];
    hyperVGeneration?: 'V1' | 'V2';
  }>;
  /** The image definitions of a gallery (empty when the gallery does not exist). */
  listImageDefinitions(galleryId: string): Promise<ImageDefinitionIdentity[]>;
  /** State of a snapshot or managed image. */
  getProvisioning(id: string): Promise<ProvisioningState>;
  /** The snapshots of a resource group with their tags (to find what a pipeline made and left). */
  listSnapshots(resourceGroupId: string): Promise<SnapshotListing[]>;
  /** Starts deleting a snapshot or managed image; a missing one is already deleted. */
  beginDelete(id: string): Promise<void>;
  /** Registration state of Microsoft.Batch in a subscription (e.g. "Registered"). */
  batchProviderState(subscriptionId: string): Promise<string>;
}
