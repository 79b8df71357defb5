import type { ArmResource } from './model';
import type { ScenarioVm } from './scenario';

type Put = (r: Omit<ArmResource, 'createdAtSimMs'>) => void;

/** A scenario's build VM as ARM holds it: its managed disks, then the VM with its extensions and instance view. */
export function seedVm(vm: ScenarioVm, put: Put): void {
  if (!vm.osDisk.unmanaged)
    put(
      disk(
        vm,
        vm.osDisk.name,
        vm.osDisk.sizeGb,
        vm.osDisk.sku ?? 'Premium_LRS',
        vm.osType,
        vm.osDisk.encrypted,
      ),
    );
  for (const d of vm.dataDisks ?? []) put(disk(vm, d.name, d.sizeGb, d.sku ?? 'Premium_LRS'));
  put({
    id: vm.id,
    type: 'microsoft.compute/virtualmachines',
    name: vm.id.split('/').at(-1)!,
    location: vm.location,
    extra: {
      ...(vm.plan ? { plan: vm.plan } : {}),
      ...(vm.extensions?.length ? { resources: extensions(vm) } : {}),
    },
    properties: {
      vmId: `0b1d0000-0000-4000-8000-${vm.id.length.toString().padStart(12, '0')}`,
      hardwareProfile: { vmSize: vm.vmSize ?? 'Standard_D4s_v5' },
      storageProfile: {
        imageReference: vm.imageReference ?? {
          publisher: 'Canonical',
          offer: '0001-com-ubuntu-server-jammy',
          sku: '22_04-lts-gen2',
          version: 'latest',
        },
        osDisk: osDisk(vm),
        dataDisks: (vm.dataDisks ?? []).map((d) => ({
          lun: d.lun,
          name: d.name,
          createOption: 'Attach',
          caching: 'None',
          managedDisk: { id: diskId(vm, d.name), storageAccountType: d.sku ?? 'Premium_LRS' },
          diskSizeGB: d.sizeGb,
        })),
      },
    },
    hidden: { instanceView: instanceView(vm) },
  });
}

/** Disks live in the VM's resource group. */
function diskId(vm: ScenarioVm, name: string): string {
  const [, , sub, , rg] = vm.id.split('/');
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`;
}

function disk(
  vm: ScenarioVm,
  name: string,
  sizeGb: number,
  sku: string,
  osType?: string,
  encrypted?: boolean,
): Omit<ArmResource, 'createdAtSimMs'> {
  return {
    id: diskId(vm, name),
    type: 'microsoft.compute/disks',
    name,
    location: vm.location,
    sizeGb,
    extra: {
      managedBy: vm.id,
      sku: { name: sku, tier: sku.startsWith('Standard') ? 'Standard' : 'Premium' },
    },
    properties: {
      ...(osType ? { osType, hyperVGeneration: vm.hyperVGeneration ?? 'V2' } : {}),
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
  };
}

/** The VM's storageProfile.osDisk: a VHD in a storage account, or a managed disk. */
function osDisk(vm: ScenarioVm): Record<string, unknown> {
  if (vm.osDisk.unmanaged)
    return {
      osType: vm.osType,
      name: vm.osDisk.name,
      createOption: 'FromImage',
      vhd: { uri: `https://buildvhds.blob.core.windows.net/vhds/${vm.osDisk.name}.vhd` },
      diskSizeGB: vm.osDisk.sizeGb,
    };
  return {
    osType: vm.osType,
    name: vm.osDisk.name,
    createOption: 'FromImage',
    caching: 'ReadWrite',
    managedDisk: { id: diskId(vm, vm.osDisk.name), storageAccountType: vm.osDisk.sku ?? 'Premium_LRS' },
    diskSizeGB: vm.osDisk.sizeGb,
    ...(vm.osDisk.encrypted ? { encryptionSettings: { enabled: true } } : {}),
  };
}

function extensions(vm: ScenarioVm): Record<string, unknown>[] {
  return (vm.extensions ?? []).map((e) => ({
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
  }));
}

/** What GET …/instanceView answers: provisioned, generalized when the scenario says so, deallocated. */
function instanceView(vm: ScenarioVm): Record<string, unknown> {
  return {
    hyperVGeneration: vm.hyperVGeneration ?? 'V2',
    statuses: [
      { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded' },
      ...(vm.osState === 'Generalized'
        ? [{ code: 'OSState/generalized', level: 'Info', displayStatus: 'VM generalized' }]
        : []),
      { code: 'PowerState/deallocated', level: 'Info', displayStatus: 'VM deallocated' },
    ],
  };
}
