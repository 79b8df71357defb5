import { startSimulator } from '../../../src/local/simulator/simulator';
import { readScenario } from '../../../src/local/simulator/scenario';
import { adaptersFor, GALLERY_ID, MINUTE, RG, SUB } from '../../helpers/simulator';
import { computeClient } from '../../../src/azure/clients';
import { SimulatorCredential } from '../../../src/azure/credentials';
import { PermanentError } from '../../../src/domain/errors';
import { join } from 'node:path';
import { readJson, VECTORS } from '../../helpers/requests';

/** DiskRP's own examples (test/fixtures/azure-vectors/MANIFEST.md): the shapes the simulator must answer in. */
const diskExample = (name: string) =>
  readJson<{ responses: { 200: { body: { properties: Record<string, unknown> } } } }>(
    join(VECTORS, 'disk-security', name),
  ).responses[200].body.properties;

/** Each scenario's build VM: vm-tl-build, vm-arm64-build, vm-cvm-build. */
const VM = (name: string) => `${RG('rg-render-build')}/providers/Microsoft.Compute/virtualMachines/${name}`;
const OS_DISK = (vm: string) => `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/${vm}-osdisk`;
const SNAP = (name: string) => `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/${name}`;
const DEFINITION = (name: string) => `${GALLERY_ID}/images/${name}`;
const identifier = (sku: string) => ({ publisher: 'contoso', offer: 'render', sku });

async function simulatorWith(scenario: string) {
  const sim = await startSimulator({ speed: 1, scenario: readScenario(scenario) });
  const credential = new SimulatorCredential('test-principal');
  return {
    sim,
    adapters: adaptersFor(sim),
    compute: computeClient({ armEndpoint: sim.armUrl, ca: sim.caCert }, credential, SUB),
  };
}

/** Snapshot of the build VM's OS disk, provisioned. */
async function osSnapshot(world: Awaited<ReturnType<typeof simulatorWith>>, name: string, vm: string) {
  await world.adapters.compute.beginSnapshot({
    id: SNAP(name),
    location: 'westeurope',
    sourceId: OS_DISK(vm),
  });
  world.sim.clock.advance(10 * MINUTE);
  return SNAP(name);
}

async function versionFrom(
  world: Awaited<ReturnType<typeof simulatorWith>>,
  definition: string,
  snapshot: string,
) {
  await world.adapters.gallery.beginImageVersion({
    id: `${DEFINITION(definition)}/versions/1.0.0`,
    location: 'westeurope',
    source: { osSnapshotId: snapshot, dataDisks: [] },
    targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
    excludeFromLatest: false,
    tags: { 'bif-owner': 'test' },
  });
}

describe('security types in the simulator (GalleryRP and ComputeRP rules)', () => {
  let world: Awaited<ReturnType<typeof simulatorWith>>;
  beforeAll(async () => {
    world = await simulatorWith('trusted-launch-vm');
    await world.adapters.gallery.ensureGallery(GALLERY_ID, 'westeurope');
    world.sim.clock.advance(MINUTE);
  });
  afterAll(() => world.sim.stop());

  it('the Trusted Launch VM, its OS disk and its snapshots report TrustedLaunch as Azure does', async () => {
    const vm = await world.compute.virtualMachines.get('rg-render-build', 'vm-tl-build');
    expect(vm.securityProfile).toEqual({
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
      securityType: 'TrustedLaunch',
    });
    const disk = await world.compute.disks.get('rg-render-build', 'vm-tl-build-osdisk');
    expect(disk.securityProfile).toEqual(diskExample('Disk_Create_WithSecurityProfile.json').securityProfile);
    expect(disk.supportedCapabilities).toEqual({ architecture: 'x64' });
    const snapshot = await world.compute.snapshots.get(
      'rg-render-build',
      (await osSnapshot(world, 'tl-os', 'vm-tl-build')).split('/').at(-1)!,
    );
    expect(snapshot.securityProfile).toEqual({ securityType: 'TrustedLaunch' });
  });

  it('refuses a Trusted Launch source into a definition without a Trusted Launch SecurityType', async () => {
    await world.compute.galleryImages.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', 'standard-only', {
      location: 'westeurope',
      osType: 'Linux',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      identifier: identifier('standard-only'),
    });
    world.sim.clock.advance(MINUTE);
    await expect(versionFrom(world, 'standard-only', SNAP('tl-os'))).rejects.toThrow(
      /has security type 'TrustedLaunch', which the gallery image 'standard-only' \(SecurityType 'Standard'\) does not support/,
    );
  });

  // GalleryRP: a "…Supported" definition takes only VHD blob, managed image ("User Image") and gallery
  // image version sources (hashicorp/packer-plugin-azure#304, microsoft/STL#4682, #528 in 2025).
  it.each(['TrustedLaunchSupported', 'ConfidentialVmSupported', 'TrustedLaunchAndConfidentialVmSupported'])(
    'refuses a VM, disk or snapshot source into a %s definition (InvalidParameter)',
    async (type) => {
      const name = `supported-${type.length}`;
      await world.compute.galleryImages.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', name, {
        location: 'westeurope',
        osType: 'Linux',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: identifier(name),
        features: [{ name: 'SecurityType', value: type }],
      });
      world.sim.clock.advance(MINUTE);
      const refused = new RegExp(
        `The security type '${type}' is not supported for the source id '[^']*/snapshots/tl-os'\\. Currently only Vhd Blob, User Image and Gallery Image Version sources are supported for '${type}' images\\.`,
      );
      await expect(versionFrom(world, name, SNAP('tl-os'))).rejects.toThrow(refused);
      await expect(versionFrom(world, name, SNAP('tl-os'))).rejects.toThrow(/400 InvalidParameter/);
      const fromVm = world.compute.galleryImageVersions.beginCreateOrUpdate(
        'rg-hpc-images',
        'galHpcImages',
        name,
        '1.0.1',
        {
          location: 'westeurope',
          publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
          storageProfile: { source: { virtualMachineId: VM('vm-tl-build') } },
        },
      );
      await expect(fromVm).rejects.toThrow(/Currently only Vhd Blob, User Image and Gallery Image Version/);
    },
  );

  it('takes a gallery image version source into a TrustedLaunchSupported definition', async () => {
    const define = (name: string, type: string) =>
      world.compute.galleryImages.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', name, {
        location: 'westeurope',
        osType: 'Linux',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: identifier(name),
        features: [{ name: 'SecurityType', value: type }],
      });
    await define('tl-base', 'TrustedLaunch');
    await define('tls-from-image', 'TrustedLaunchSupported');
    world.sim.clock.advance(MINUTE);
    await versionFrom(world, 'tl-base', SNAP('tl-os'));
    world.sim.clock.advance(120 * MINUTE);
    await world.adapters.gallery.beginImageVersion({
      id: `${DEFINITION('tls-from-image')}/versions/1.0.0`,
      location: 'westeurope',
      source: { versionId: `${DEFINITION('tl-base')}/versions/1.0.0` },
      targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
      excludeFromLatest: false,
      tags: { 'bif-owner': 'test' },
    });
  });

  it('refuses a SecurityType on a Gen1 definition, an unknown SecurityType, and changing architecture', async () => {
    const create = (name: string, body: Record<string, unknown>) =>
      world.compute.galleryImages.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', name, {
        location: 'westeurope',
        osType: 'Linux',
        osState: 'Generalized',
        identifier: identifier(name),
        ...body,
      });
    await expect(
      create('gen1-tl', {
        hyperVGeneration: 'V1',
        features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
      }),
    ).rejects.toThrow(/SecurityType 'TrustedLaunch' must have hyperVGeneration 'V2'/);
    await expect(
      create('bad-type', { hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'Trusted' }] }),
    ).rejects.toThrow(/The value 'Trusted' of feature 'SecurityType' is not valid/);
    await expect(create('standard-only', { hyperVGeneration: 'V2', architecture: 'Arm64' })).rejects.toThrow(
      /Changing property 'galleryImage.properties.architecture' is not allowed/,
    );
  });

  it('refuses a managed image from a Trusted Launch snapshot (Trusted Launch has no managed images)', async () => {
    await expect(
      // Made with the SDK client, as a user would (the ComputePort makes no managed images).
      world.compute.images.beginCreateOrUpdate('rg-render-build', 'tl-image', {
        location: 'westeurope',
        hyperVGeneration: 'V2',
        storageProfile: {
          osDisk: { osType: 'Linux', osState: 'Generalized', snapshot: { id: SNAP('tl-os') } },
          zoneResilient: false,
        },
      }),
    ).rejects.toThrow(
      /Creation of managed images are not supported for virtual machine with TrustedLaunch security type/,
    );
  });
});

describe('security types through the adapters', () => {
  it('reads a Trusted Launch VM and builds into a TrustedLaunch definition', async () => {
    const world = await simulatorWith('trusted-launch-vm');
    try {
      const vm = await world.adapters.compute.inspectVirtualMachine(VM('vm-tl-build'));
      expect(vm.facts.security).toEqual({
        securityType: 'TrustedLaunch',
        uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
        architecture: 'x64',
      });
      await world.adapters.gallery.ensureGallery(GALLERY_ID, 'westeurope');
      world.sim.clock.advance(MINUTE);
      await world.adapters.gallery.ensureImageDefinition({
        id: DEFINITION('tl'),
        location: 'westeurope',
        osType: 'Linux',
        hyperVGeneration: 'V2',
        identifier: identifier('tl'),
        securityType: 'TrustedLaunch',
        architecture: 'x64',
      });
      world.sim.clock.advance(MINUTE);
      const definition = await world.compute.galleryImages.get('rg-hpc-images', 'galHpcImages', 'tl');
      expect(definition.features).toEqual([{ name: 'SecurityType', value: 'TrustedLaunch' }]);
      expect(definition.architecture).toBe('x64');
      await versionFrom(world, 'tl', await osSnapshot(world, 'tl-os', 'vm-tl-build'));
      expect((await world.adapters.compute.inspectSnapshot(SNAP('tl-os'))).securityType).toBe(
        'TrustedLaunch',
      );
      const listed = await world.adapters.compute.listImageDefinitions(GALLERY_ID);
      expect(listed).toEqual([
        expect.objectContaining({ name: 'tl', securityType: 'TrustedLaunch', architecture: 'x64' }),
      ]);
      // The same definition asked for a Confidential VM Arm64 source: one error naming each difference
      // (a Standard source would be fine: a TrustedLaunch definition takes it).
      const mismatch = world.adapters.gallery.ensureImageDefinition({
        id: DEFINITION('tl'),
        location: 'westeurope',
        osType: 'Linux',
        hyperVGeneration: 'V2',
        identifier: identifier('tl'),
        securityType: 'ConfidentialVM',
        architecture: 'Arm64',
      });
      await expect(mismatch).rejects.toBeInstanceOf(PermanentError);
      await expect(mismatch).rejects.toThrow(
        /securityType is TrustedLaunch there but ConfidentialVM in the request; architecture is x64 there but Arm64/,
      );
    } finally {
      await world.sim.stop();
    }
  });

  it('an existing TrustedLaunchSupported definition is no match for a build from disks, only from an image', async () => {
    const world = await simulatorWith('trusted-launch-vm');
    try {
      await world.adapters.gallery.ensureGallery(GALLERY_ID, 'westeurope');
      world.sim.clock.advance(MINUTE);
      await world.compute.galleryImages.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', 'tls', {
        location: 'westeurope',
        osType: 'Linux',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: identifier('tls'),
        features: [{ name: 'SecurityType', value: 'TrustedLaunchSupported' }],
      });
      world.sim.clock.advance(MINUTE);
      const spec = {
        id: DEFINITION('tls'),
        location: 'westeurope',
        osType: 'Linux' as const,
        hyperVGeneration: 'V2' as const,
        identifier: identifier('tls'),
        securityType: 'TrustedLaunch' as const,
        architecture: 'x64' as const,
      };
      // The pipeline copies the Trusted Launch VM's snapshots: GalleryRP would refuse them there.
      const fromDisks = world.adapters.gallery.ensureImageDefinition({ ...spec, fromDisks: true });
      await expect(fromDisks).rejects.toBeInstanceOf(PermanentError);
      await expect(fromDisks).rejects.toThrow(
        /securityType is TrustedLaunchSupported there, which takes no VM, disk or snapshot source/,
      );
      // A gallery image version (or managed image) source is what such a definition takes.
      await expect(
        world.adapters.gallery.ensureImageDefinition({ ...spec, fromDisks: false }),
      ).resolves.toMatchObject({ id: DEFINITION('tls') });
    } finally {
      await world.sim.stop();
    }
  });

  it('reads an Arm64 VM and builds into an Arm64 definition', async () => {
    const world = await simulatorWith('arm64-vm');
    try {
      const disk = await world.compute.disks.get('rg-render-build', 'vm-arm64-build-osdisk');
      expect(disk.supportedCapabilities).toEqual(
        diskExample('Disk_Update_ToAddArchitecture.json').supportedCapabilities,
      );
      const vm = await world.adapters.compute.inspectVirtualMachine(VM('vm-arm64-build'));
      expect(vm.facts.security).toEqual({ securityType: 'Standard', architecture: 'Arm64' });
      await world.adapters.gallery.ensureGallery(GALLERY_ID, 'westeurope');
      world.sim.clock.advance(MINUTE);
      await world.adapters.gallery.ensureImageDefinition({
        id: DEFINITION('arm'),
        location: 'westeurope',
        osType: 'Linux',
        hyperVGeneration: 'V2',
        identifier: identifier('arm'),
        architecture: 'Arm64',
      });
      world.sim.clock.advance(MINUTE);
      const definition = await world.compute.galleryImages.get('rg-hpc-images', 'galHpcImages', 'arm');
      expect(definition.architecture).toBe('Arm64');
      expect(definition.features).toBeUndefined();
      await versionFrom(world, 'arm', await osSnapshot(world, 'arm-os', 'vm-arm64-build'));
    } finally {
      await world.sim.stop();
    }
  });

  it('reads a Confidential VM', async () => {
    const world = await simulatorWith('confidential-vm');
    try {
      expect(
        (await world.adapters.compute.inspectVirtualMachine(VM('vm-cvm-build'))).facts.security,
      ).toMatchObject({
        securityType: 'ConfidentialVM',
        architecture: 'x64',
      });
    } finally {
      await world.sim.stop();
    }
  });
});
