import type { ArmResource } from './model';
import type { ScenarioVm } from './scenario';

type Put = (r: Omit<ArmResource, 'createdAtSimMs'>) => void;

/** What DiskRP reports for the OS disk of a VM of each security type. */
const DISK_SECURITY_TYPE = {
  TrustedLaunch: 'TrustedLaunch',
  ConfidentialVM: 'ConfidentialVM_VMGuestStateOnlyEncryptedWithPlatformKey',
} as const;

/** Security type and architecture as DiskRP returns them on a disk or snapshot. */
export function diskSecurity(securityType: string | undefined, architecture: string | undefined) {
  return {
    ...(securityType ? { securityProfile: { securityType } } : {}),
    ...(architecture ? { supportedCapabilities: { architecture } } : {}),
  };
}

/** A scenario's build VM: the VM, its disks and its instance view. */
export function seedVm(vm: ScenarioVm, put: Put): void {
  const [, , sub, , rg] = vm.id.split('/');
  const diskId = (name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`;
  seedDisks(vm, diskId, put);
  const osDisk = vmOsDisk(vm, diskId);
  put({
    id: vm.id,
    type: 'microsoft.compute/virtualmachines',
    name: vm.id.split('/').at(-1)!,
    location: vm.location,
    extra: vmExtra(vm),
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

/** The VM's managed disks, as DiskRP returns them (the OS disk with the VM's security type and architecture). */
function seedDisks(vm: ScenarioVm, diskId: (name: string) => string, put: Put): void {
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
}

function vmOsDisk(vm: ScenarioVm, diskId: (name: string) => string) {
  return vm.osDisk.unmanaged
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
}

function vmExtra(vm: ScenarioVm): Record<string, unknown> {
  return {
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
  };
}
