import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SupportedImage } from '../../domain/planning/nodeAgentSku';
import type { FaultRule } from './faults';
import type { TimingOverrides } from './timing';
import type { ArmResource, WorldState } from './model';
import { emptyWorld } from './model';
import { normalizeId } from './world';

/**
 * A scenario seeds the simulated world: subscriptions and resource groups, build VMs with their disks,
 * existing snapshots and galleries, Batch accounts with their supported images, and faults.
 */
export interface Scenario {
  name: string;
  description?: string;
  subscriptions: {
    id: string;
    tenantId?: string;
    resourceGroups: { name: string; location: string }[];
    providers?: Record<string, string>;
  }[];
  virtualMachines?: ScenarioVm[];
  snapshots?: {
    id: string;
    location: string;
    osType?: string;
    sizeGb: number;
    hyperVGeneration?: string;
    /** DiskRP `securityProfile.securityType`, e.g. TrustedLaunch (absent: Standard). */
    securityType?: string;
    /** DiskRP `supportedCapabilities.architecture` (absent: not reported). */
    architecture?: 'x64' | 'Arm64';
  }[];
  galleries?: { id: string; location: string }[];
  batchAccounts?: {
    id: string;
    region: string;
    dedicatedQuota?: number;
    lowPriorityQuota?: number;
    /** "default" (the bundled list), or the list itself. */
    supportedImages?: 'default' | SupportedImage[];
  }[];
  faults?: FaultRule[];
  timing?: TimingOverrides;
  /** Items per page of ARM list answers. */
  pageSize?: number;
}

export interface ScenarioVm {
  id: string;
  location: string;
  osType: 'Linux' | 'Windows';
  osState: 'Generalized' | 'Specialized';
  hyperVGeneration?: 'V1' | 'V2';
  vmSize?: string;
  osDisk: { name: string; sizeGb: number; encrypted?: boolean; unmanaged?: boolean; sku?: string };
  /** `sku`: the disk's storage type, Premium_LRS unless given (e.g. PremiumV2_LRS, UltraSSD_LRS). */
  dataDisks?: { lun: number; name: string; sizeGb: number; sku?: string }[];
  extensions?: { name: string; publisher: string; type: string }[];
  plan?: { name: string; publisher: string; product: string };
  imageReference?: Record<string, string>;
  /**
   * The VM's `securityProfile.securityType` (absent: Standard). Its OS disk reports the disk form:
   * TrustedLaunch, or ConfidentialVM_VMGuestStateOnlyEncryptedWithPlatformKey for a Confidential VM.
   */
  securityType?: 'TrustedLaunch' | 'ConfidentialVM';
  uefiSettings?: { secureBootEnabled?: boolean; vTpmEnabled?: boolean };
  /** The OS disk's `supportedCapabilities.architecture` (absent: not reported, as for older disks). */
  architecture?: 'x64' | 'Arm64';
}

/** What DiskRP reports for the OS disk of a VM of each security type. */
const DISK_SECURITY_TYPE = {
  TrustedLaunch: 'TrustedLaunch',
  ConfidentialVM: 'ConfidentialVM_VMGuestStateOnlyEncryptedWithPlatformKey',
} as const;

/** Security type and architecture as DiskRP returns them on a disk or snapshot. */
function diskSecurity(securityType: string | undefined, architecture: string | undefined) {
  return {
    ...(securityType ? { securityProfile: { securityType } } : {}),
    ...(architecture ? { supportedCapabilities: { architecture } } : {}),
  };
}

export const SCENARIO_DIR = join(__dirname, 'scenarios');

export function readScenario(pathOrName: string): Scenario {
  const path = pathOrName.endsWith('.json') ? pathOrName : join(SCENARIO_DIR, `${pathOrName}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as Scenario;
}

export function defaultSupportedImages(): SupportedImage[] {
  return (
    JSON.parse(readFileSync(join(SCENARIO_DIR, 'supported-images.json'), 'utf8')) as {
      value: SupportedImage[];
    }
  ).value;
}

const TENANT = '72f988bf-0000-4000-8000-000000000001';

/** Builds the initial world of a scenario. Seeded resources are already provisioned. */
export function seedWorld(scenario: Scenario, nowMs: number): WorldState {
  const state = emptyWorld();
  for (const sub of scenario.subscriptions) {
    state.subscriptions[sub.id.toLowerCase()] = {
      tenantId: sub.tenantId ?? TENANT,
      resourceGroups: Object.fromEntries(
        sub.resourceGroups.map((g) => [g.name.toLowerCase(), { name: g.name, location: g.location }]),
      ),
      providers: Object.fromEntries(
        Object.entries({
          'Microsoft.Compute': 'Registered',
          'Microsoft.Batch': 'Registered',
          ...(sub.providers ?? {}),
        }).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    };
  }
  const put = (resource: Omit<ArmResource, 'createdAtSimMs'>) => {
    state.resources[normalizeId(resource.id)] = { ...resource, createdAtSimMs: nowMs };
  };
  for (const vm of scenario.virtualMachines ?? []) seedVm(vm, put);
  for (const snap of scenario.snapshots ?? []) {
    put({
      id: snap.id,
      type: 'microsoft.compute/snapshots',
      name: snap.id.split('/').at(-1)!,
      location: snap.location,
      sizeGb: snap.sizeGb,
      properties: {
        osType: snap.osType,
        hyperVGeneration: snap.hyperVGeneration ?? 'V2',
        diskSizeGB: snap.sizeGb,
        creationData: { createOption: 'Import' },
        diskState: 'Unattached',
        encryption: { type: 'EncryptionAtRestWithPlatformKey' },
        ...diskSecurity(snap.securityType, snap.architecture),
      },
    });
  }
  for (const gallery of scenario.galleries ?? []) {
    const name = gallery.id.split('/').at(-1)!;
    put({
      id: gallery.id,
      type: 'microsoft.compute/galleries',
      name,
      location: gallery.location,
      properties: { identifier: { uniqueName: name.toUpperCase() } },
    });
  }
  const images = defaultSupportedImages();
  for (const account of scenario.batchAccounts ?? []) {
    const name = account.id.split('/').at(-1)!;
    state.batchAccounts[name.toLowerCase()] = {
      name,
      id: account.id,
      region: account.region,
      subscriptionId: account.id.split('/')[2]!,
      dedicatedQuota: account.dedicatedQuota ?? 10_000,
      lowPriorityQuota: account.lowPriorityQuota ?? 10_000,
      supportedImages:
        account.supportedImages === undefined || account.supportedImages === 'default'
          ? images
          : account.supportedImages,
      pools: {},
    };
  }
  state.faults = (scenario.faults ?? []).map((f, i) => ({ ...f, id: f.id ?? `scenario-fault-${i + 1}` }));
  return state;
}

function seedVm(vm: ScenarioVm, put: (r: Omit<ArmResource, 'createdAtSimMs'>) => void): void {
  const [, , sub, , rg] = vm.id.split('/');
  const diskId = (name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`;
  const disk = (name: string, sizeGb: number, sku: string, osType?: string, encrypted?: boolean) =>
    put({
      id: diskId(name),
      type: 'microsoft.compute/disks',
      name,
      location: vm.location,
      sizeGb,
      extra: {
        managedBy: vm.id,
        sku: { name: sku, tier: sku.startsWith('Standard') ? 'Standard' : 'Premium' },
      },
      properties: {
        ...(osType
          ? {
              osType,
              hyperVGeneration: vm.hyperVGeneration ?? 'V2',
              ...diskSecurity(vm.securityType && DISK_SECURITY_TYPE[vm.securityType], vm.architecture),
            }
          : {}),
        diskSizeGB: sizeGb,
        creationData: { createOption: osType ? 'FromImage' : 'Empty' },
        diskState: 'Reserved',
        encryption: { type: 'EncryptionAtRestWithPlatformKey' },
        ...(encrypted
          ? {
              encryptionSettingsCollection: {
                enabled: true,
                encryptionSettings: [],
                encryptionSettingsVersion: '1.1',
              },
            }
          : {}),
      },
      hidden: { uniqueId: `d15c0000-0000-4000-8000-${name.length.toString().padStart(12, '0')}` },
    });
  if (!vm.osDisk.unmanaged)
    disk(vm.osDisk.name, vm.osDisk.sizeGb, vm.osDisk.sku ?? 'Premium_LRS', vm.osType, vm.osDisk.encrypted);
  for (const d of vm.dataDisks ?? []) disk(d.name, d.sizeGb, d.sku ?? 'Premium_LRS');
  const osDisk = vm.osDisk.unmanaged
    ? {
        osType: vm.osType,
        name: vm.osDisk.name,
        createOption: 'FromImage',
        vhd: { uri: `https://buildvhds.blob.core.windows.net/vhds/${vm.osDisk.name}.vhd` },
        diskSizeGB: vm.osDisk.sizeGb,
      }
    : {
        osType: vm.osType,
        name: vm.osDisk.name,
        createOption: 'FromImage',
        caching: 'ReadWrite',
        managedDisk: { id: diskId(vm.osDisk.name), storageAccountType: vm.osDisk.sku ?? 'Premium_LRS' },
        diskSizeGB: vm.osDisk.sizeGb,
        ...(vm.osDisk.encrypted ? { encryptionSettings: { enabled: true } } : {}),
      };
  put({
    id: vm.id,
    type: 'microsoft.compute/virtualmachines',
    name: vm.id.split('/').at(-1)!,
    location: vm.location,
    extra: {
      ...(vm.plan ? { plan: vm.plan } : {}),
      ...(vm.extensions?.length
        ? {
            resources: vm.extensions.map((e) => ({
              id: `${vm.id}/extensions/${e.name}`,
              name: e.name,
              type: 'Microsoft.Compute/virtualMachines/extensions',
              location: vm.location,
              properties: {
                publisher: e.publisher,
                type: e.type,
                typeHandlerVersion: '2.1',
                provisioningState: 'Succeeded',
              },
            })),
          }
        : {}),
    },
    properties: {
      vmId: `0b1d0000-0000-4000-8000-${vm.id.length.toString().padStart(12, '0')}`,
      hardwareProfile: { vmSize: vm.vmSize ?? 'Standard_D4s_v5' },
      ...(vm.securityType
        ? {
            securityProfile: {
              uefiSettings: { secureBootEnabled: true, vTpmEnabled: true, ...vm.uefiSettings },
              securityType: vm.securityType,
            },
          }
        : {}),
      storageProfile: {
        imageReference: vm.imageReference ?? {
          publisher: 'Canonical',
          offer: '0001-com-ubuntu-server-jammy',
          sku: '22_04-lts-gen2',
          version: 'latest',
        },
        osDisk,
        dataDisks: (vm.dataDisks ?? []).map((d) => ({
          lun: d.lun,
          name: d.name,
          createOption: 'Attach',
          caching: 'None',
          managedDisk: { id: diskId(d.name), storageAccountType: d.sku ?? 'Premium_LRS' },
          diskSizeGB: d.sizeGb,
        })),
      },
    },
    hidden: {
      instanceView: {
        hyperVGeneration: vm.hyperVGeneration ?? 'V2',
        statuses: [
          { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded' },
          ...(vm.osState === 'Generalized'
            ? [{ code: 'OSState/generalized', level: 'Info', displayStatus: 'VM generalized' }]
            : []),
          { code: 'PowerState/deallocated', level: 'Info', displayStatus: 'VM deallocated' },
        ],
      },
    },
  });
}
