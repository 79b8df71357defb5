import type { SourceFacts } from '../domain/planning/preflight';
import type { OsType } from '../domain/buildRequest';

/** Provisioning of an ARM resource as the pipeline cares about it. */
export interface ProvisioningState {
  id: string;
  state: 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting' | 'NotFound';
  /** Azure's error when it failed. */
  error?: { code: string; message: string };
}

export interface DiskToCapture {
  /** Managed disk id; undefined for an unmanaged (VHD) disk. */
  id?: string;
  lun?: number;
  sizeGb: number;
}

export interface VmInspection {
  id: string;
  location: string;
  facts: SourceFacts;
  osDisk: DiskToCapture;
  dataDisks: (DiskToCapture & { lun: number })[];
}

export interface SnapshotInspection {
  id: string;
  location: string;
  osType?: OsType;
  hyperVGeneration?: 'V1' | 'V2';
  sizeGb: number;
  encrypted: boolean;
  state: ProvisioningState['state'];
}

/** Compute resources: the build VM, snapshots and managed images. */
export interface ComputePort {
  inspectVirtualMachine(vmId: string): Promise<VmInspection>;
  inspectSnapshot(snapshotId: string): Promise<SnapshotInspection>;
  /** PUT a snapshot copying `sourceId` (idempotent: the same name finds the same snapshot). */
  beginSnapshot(spec: {
    id: string;
    location: string;
    sourceId: string;
    tags?: Record<string, string>;
  }): Promise<ProvisioningState>;
  beginManagedImage(spec: {
    id: string;
    location: string;
    osType: OsType;
    hyperVGeneration: 'V1' | 'V2';
    osSnapshotId: string;
    dataDisks: { lun: number; snapshotId: string }[];
    tags?: Record<string, string>;
  }): Promise<ProvisioningState>;
  /** State of a snapshot or managed image. */
  getProvisioning(id: string): Promise<ProvisioningState>;
  /** The snapshots of a resource group with their tags (to find what a pipeline made and left). */
  listSnapshots(resourceGroupId: string): Promise<{ id: string; tags: Record<string, string> }[]>;
  /** Starts deleting a snapshot or managed image; a missing one is already deleted. */
  beginDelete(id: string): Promise<void>;
  /** Registration state of Microsoft.Batch in a subscription (e.g. "Registered"). */
  batchProviderState(subscriptionId: string): Promise<string>;
}
