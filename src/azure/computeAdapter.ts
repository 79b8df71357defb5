import type { ComputeManagementClient } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import type {
  ComputePort,
  ImageDefinitionIdentity,
  ProvisioningState,
  SnapshotInspection,
  SnapshotListing,
  VmInspection,
} from '../ports/compute';
import { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import { mustParse, resourceName } from '../domain/resourceId';
import { normalizeRegion } from '../domain/region';
import { computeClient, type Endpoints } from './clients';
import { azureCall, isSdkNotFound, toFactoryError } from './errors';
import { PermanentError } from '../domain/errors';
import {
  definitionSecurityTypeOf,
  sourceSecurityType,
  vmSizeArchitecture,
  type Architecture,
} from '../domain/planning/securityType';
import type { SecurityFacts } from '../domain/planning/securityType';

const httpClient = createDefaultHttpClient();

/** One ComputeManagementClient per subscription: ids in a request may span several. */
export class ComputeClients {
  private readonly clients = new Map<string, ComputeManagementClient>();
  constructor(
    private readonly endpoints: Endpoints,
    private readonly credential: TokenCredential,
  ) {}

  get armEndpoint(): string {
    return this.endpoints.armEndpoint.replace(/\/+$/, '');
  }

  for(subscriptionId: string): ComputeManagementClient {
    const key = subscriptionId.toLowerCase();
    let client = this.clients.get(key);
    if (!client) {
      client = computeClient(this.endpoints, this.credential, subscriptionId);
      this.clients.set(key, client);
    }
    return client;
  }
}

export function provisioning(id: string, state: string | undefined): ProvisioningState {
  const known = ['Creating', 'Updating', 'Succeeded', 'Failed', 'Deleting'];
  const normalized =
    known.find((k) => k.toLowerCase() === String(state ?? 'Succeeded').toLowerCase()) ?? 'Creating';
  return { id, state: normalized as ProvisioningState['state'] };
}

/** The Compute side of the pipeline through @azure/arm-compute. LROs are started, never awaited: orchestrators poll. */
export class AzureComputeAdapter implements ComputePort {
  constructor(private readonly clients: ComputeClients) {}

  async inspectVirtualMachine(vmId: string): Promise<VmInspection> {
    const id = mustParse(vmId);
    const client = this.clients.for(id.subscriptionId);
    const vm = await azureCall('Reading the source VM', vmId, () =>
      client.virtualMachines.get(id.resourceGroup, resourceName(id), { expand: 'instanceView' }),
    );
    const osDisk = vm.storageProfile?.osDisk;
    const statuses = vm.instanceView?.statuses?.map((s) => s.code?.toLowerCase() ?? '') ?? [];
    // The OS disk is read for its encryption, which the VM does not show; data disks need no read:
    // the VM's own profile names their size and storage type.
    const os = await this.readOsDisk(osDisk?.managedDisk?.id, osDisk?.diskSizeGB);
    const dataDisks = (vm.storageProfile?.dataDisks ?? []).map((d) => ({
      lun: d.lun,
      id: d.managedDisk?.id,
      sizeGb: d.diskSizeGB ?? 0,
      sku: d.managedDisk?.storageAccountType,
    }));
    const extensions = (vm.resources ?? [])
      .filter((r) => /extensions$/i.test(r.type ?? ''))
      .map((r) => r.name ?? '');
    return {
      id: vm.id ?? vmId,
      location: normalizeRegion(vm.location),
      osDisk: { id: osDisk?.managedDisk?.id, sizeGb: os.sizeGb, sku: os.sku },
      dataDisks,
      facts: {
        osType: osDisk?.osType,
        // A generalized VM reports OSState/generalized in its instance view; anything else was not generalized.
        osState: statuses.includes('osstate/generalized') ? 'Generalized' : 'Specialized',
        hyperVGeneration: vm.instanceView?.hyperVGeneration as 'V1' | 'V2' | undefined,
        managedDisks: Boolean(osDisk?.managedDisk?.id) && dataDisks.every((d) => d.id),
        osDiskEncrypted: Boolean(osDisk?.encryptionSettings?.enabled) || os.encrypted,
        extensions,
        plan: vm.plan?.name
          ? { name: vm.plan.name, publisher: vm.plan.publisher ?? '', product: vm.plan.product ?? '' }
          : undefined,
        security: vmSecurity(vm, os.architecture),
      },
    };
  }

  private async readOsDisk(diskId: string | undefined, fallback: number | undefined) {
    if (!diskId) return { sizeGb: fallback ?? 0, encrypted: false, sku: undefined, architecture: undefined };
    const d = mustParse(diskId);
    const disk = await azureCall('Reading the OS disk of the source VM', diskId, () =>
      this.clients.for(d.subscriptionId).disks.get(d.resourceGroup, resourceName(d)),
    );
    return {
      sizeGb: disk.diskSizeGB ?? fallback ?? 0,
      encrypted: Boolean(disk.encryptionSettingsCollection?.enabled),
      sku: disk.sku?.name,
      architecture: asArchitecture(disk.supportedCapabilities?.architecture),
    };
  }

  async inspectSnapshot(snapshotId: string): Promise<SnapshotInspection> {
    const id = mustParse(snapshotId);
    const snapshot = await azureCall('Reading a source snapshot', snapshotId, () =>
      this.clients.for(id.subscriptionId).snapshots.get(id.resourceGroup, resourceName(id)),
    );
    return {
      id: snapshot.id ?? snapshotId,
      location: normalizeRegion(snapshot.location),
      osType: snapshot.osType,
      hyperVGeneration: snapshot.hyperVGeneration as 'V1' | 'V2' | undefined,
      sizeGb: snapshot.diskSizeGB ?? 0,
      encrypted: Boolean(snapshot.encryptionSettingsCollection?.enabled),
      incremental: snapshot.incremental,
      state: provisioning(snapshotId, snapshot.provisioningState).state,
      securityType: sourceSecurityType(snapshot.securityProfile?.securityType) ?? 'Standard',
      architecture: asArchitecture(snapshot.supportedCapabilities?.architecture),
    };
  }

  async beginSnapshot(spec: {
    id: string;
    location: string;
    sourceId: string;
    tags?: Record<string, string>;
  }): Promise<ProvisioningState> {
    const id = mustParse(spec.id);
    const poller = await azureCall('Creating snapshot', spec.id, () =>
      this.clients.for(id.subscriptionId).snapshots.beginCreateOrUpdate(id.resourceGroup, resourceName(id), {
        location: spec.location,
        tags: spec.tags,
        creationData: { createOption: 'Copy', sourceResourceId: spec.sourceId },
        // Incremental: CopyStart copies only incremental snapshots across regions, and Premium SSD v2
        // and Ultra disks allow no other kind.
        incremental: true,
      }),
    );
    return startedState(spec.id, poller);
  }

  async beginSnapshotCopy(spec: Parameters<ComputePort['beginSnapshotCopy']>[0]): Promise<ProvisioningState> {
    const id = mustParse(spec.id);
    const poller = await azureCall('Copying snapshot across regions to', spec.id, () =>
      this.clients.for(id.subscriptionId).snapshots.beginCreateOrUpdate(id.resourceGroup, resourceName(id), {
        location: spec.location,
        tags: spec.tags,
        creationData: { createOption: 'CopyStart', sourceResourceId: spec.sourceSnapshotId },
        incremental: true,
      }),
    );
    return startedState(spec.id, poller);
  }

  async inspectManagedImage(
    imageId: string,
  ): Promise<Awaited<ReturnType<ComputePort['inspectManagedImage']>>> {
    const id = mustParse(imageId);
    try {
      const image = await this.clients.for(id.subscriptionId).images.get(id.resourceGroup, resourceName(id));
      return {
        id: image.id ?? imageId,
        location: normalizeRegion(image.location),
        state: provisioning(imageId, image.provisioningState).state,
        hyperVGeneration: image.hyperVGeneration as 'V1' | 'V2' | undefined,
      };
    } catch (error) {
      if (isSdkNotFound(error)) return { id: imageId, state: 'NotFound' };
      throw toFactoryError(error, 'Reading the source managed image', imageId);
    }
  }

  async listImageDefinitions(galleryId: string): Promise<ImageDefinitionIdentity[]> {
    const id = mustParse(galleryId);
    const out: ImageDefinitionIdentity[] = [];
    try {
      for await (const d of this.clients
        .for(id.subscriptionId)
        .galleryImages.listByGallery(id.resourceGroup, resourceName(id))) {
        out.push({
          name: d.name ?? '',
          publisher: d.identifier?.publisher ?? '',
          offer: d.identifier?.offer ?? '',
          sku: d.identifier?.sku ?? '',
          securityType: definitionSecurityTypeOf(d.features),
          architecture: asArchitecture(d.architecture) ?? 'x64',
        });
      }
    } catch (error) {
      if (isSdkNotFound(error)) return [];
      throw toFactoryError(error, 'Listing image definitions of gallery', galleryId);
    }
    return out;
  }

  async getProvisioning(resourceId: string): Promise<ProvisioningState> {
    const id = mustParse(resourceId);
    const client = this.clients.for(id.subscriptionId);
    try {
      const type = id.types.join('/').toLowerCase();
      if (type === 'snapshots')
        return snapshotState(resourceId, await client.snapshots.get(id.resourceGroup, resourceName(id)));
      if (type === 'images')
        return provisioning(
          resourceId,
          (await client.images.get(id.resourceGroup, resourceName(id))).provisioningState,
        );
      throw new PermanentError(
        `Cannot read provisioning of ${resourceId}: only snapshots and images are tracked here.`,
        'UnsupportedType',
        resourceId,
      );
    } catch (error) {
      if (isSdkNotFound(error)) return { id: resourceId, state: 'NotFound' };
      throw toFactoryError(error, 'Reading provisioning state of', resourceId);
    }
  }

  async listSnapshots(resourceGroupId: string): Promise<SnapshotListing[]> {
    const [, subscriptionId, , resourceGroup] = resourceGroupId.split('/').filter(Boolean);
    if (!subscriptionId || !resourceGroup)
      throw new PermanentError(`${resourceGroupId} is not a resource group id.`, 'InvalidResourceId');
    return azureCall('Listing snapshots in', resourceGroupId, async () => {
      const out: SnapshotListing[] = [];
      for await (const s of this.clients.for(subscriptionId).snapshots.listByResourceGroup(resourceGroup))
        if (s.id)
          out.push({
            id: s.id,
            tags: s.tags ?? {},
            ...(s.timeCreated ? { timeCreated: s.timeCreated.toISOString() } : {}),
          });
      return out;
    });
  }

  async beginDelete(resourceId: string): Promise<void> {
    const id = mustParse(resourceId);
    const client = this.clients.for(id.subscriptionId);
    const type = id.types.join('/').toLowerCase();
    try {
      if (type === 'snapshots') await client.snapshots.beginDelete(id.resourceGroup, resourceName(id));
      else if (type === 'images') await client.images.beginDelete(id.resourceGroup, resourceName(id));
      else
        throw new PermanentError(
          `Refusing to delete ${resourceId}: only intermediate snapshots and images are deleted.`,
          'UnsupportedType',
          resourceId,
        );
    } catch (error) {
      if (!isSdkNotFound(error)) throw toFactoryError(error, 'Deleting', resourceId);
    }
  }

  async batchProviderState(subscriptionId: string): Promise<string> {
    // A subscription-scope read the Compute SDK has no method for: send it through that client's
    // pipeline so it carries the same credential, TLS settings and retry policies.
    const client = this.clients.for(subscriptionId);
    const url = `${this.clients.armEndpoint}/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Batch?api-version=2021-04-01`;
    const response = await azureCall(
      'Reading Microsoft.Batch registration in subscription',
      subscriptionId,
      async () => {
        const answer = await client.pipeline.sendRequest(
          httpClient,
          createPipelineRequest({ url, method: 'GET' }),
        );
        if (answer.status >= 400) {
          const body = JSON.parse(answer.bodyAsText ?? '{}') as {
            error?: { code?: string; message?: string };
          };
          throw Object.assign(new Error(body.error?.message ?? `HTTP ${answer.status}`), {
            statusCode: answer.status,
            code: body.error?.code,
          });
        }
        return JSON.parse(answer.bodyAsText ?? '{}') as { registrationState?: string };
      },
    );
    return response.registrationState ?? 'Unknown';
  }
}

function asArchitecture(value: string | undefined): Architecture | undefined {
  if (!value) return undefined;
  return value.toLowerCase() === 'arm64' ? 'Arm64' : 'x64';
}

/**
 * The VM's security type and secure boot/vTPM (`securityProfile`; absent = Standard) and architecture:
 * the OS disk's `supportedCapabilities.architecture` when DiskRP reports it, else the VM size's.
 */
function vmSecurity(
  vm: {
    securityProfile?: {
      securityType?: string;
      uefiSettings?: { secureBootEnabled?: boolean; vTpmEnabled?: boolean };
    };
    hardwareProfile?: { vmSize?: string };
  },
  diskArchitecture: Architecture | undefined,
): SecurityFacts {
  const uefi = vm.securityProfile?.uefiSettings;
  return {
    securityType: sourceSecurityType(vm.securityProfile?.securityType) ?? 'Standard',
    ...(uefi
      ? { uefiSettings: { secureBootEnabled: uefi.secureBootEnabled, vTpmEnabled: uefi.vTpmEnabled } }
      : {}),
    architecture: diskArchitecture ?? vmSizeArchitecture(vm.hardwareProfile?.vmSize ?? ''),
  };
}

/**
 * A snapshot's state with its background copy: DiskRP reports `completionPercent` (and
 * `copyCompletionError` when the copy failed, e.g. CopySourceNotFound) for CopyStart copies and for
 * Premium SSD v2 / Ultra snapshots (DiskRP 2025-01-02 SnapshotProperties).
 */
function snapshotState(
  id: string,
  snapshot: {
    provisioningState?: string;
    completionPercent?: number;
    copyCompletionError?: { errorCode: string; errorMessage: string };
  },
): ProvisioningState {
  const state = provisioning(id, snapshot.provisioningState);
  if (snapshot.copyCompletionError)
    return {
      id,
      state: 'Failed',
      error: {
        code: snapshot.copyCompletionError.errorCode,
        message: snapshot.copyCompletionError.errorMessage,
      },
    };
  return snapshot.completionPercent === undefined
    ? state
    : { ...state, completionPercent: snapshot.completionPercent };
}

/** Where an LRO stands right after it was started: we never wait on it here. */
function startedState(id: string, poller: { getOperationState(): { status: string } }): ProvisioningState {
  const status = poller.getOperationState().status;
  return { id, state: status === 'succeeded' ? 'Succeeded' : status === 'failed' ? 'Failed' : 'Creating' };
}
