import { startSimulator, type RunningSimulator } from '../../../src/local/simulator/simulator';
import { adaptersFor, GALLERY_ID, MINUTE, RG, SUB, testScenario, VM_ID } from '../../helpers/simulator';
import { computeClient } from '../../../src/azure/clients';
import { SimulatorCredential } from '../../../src/azure/credentials';
import { PermanentError } from '../../../src/domain/errors';

let sim: RunningSimulator;
let adapters: ReturnType<typeof adaptersFor>;
beforeAll(async () => {
  sim = await startSimulator({ speed: 1, scenario: testScenario() });
  adapters = adaptersFor(sim);
});
afterAll(() => sim.stop());

const SNAP = (name: string) => `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/${name}`;
const IMAGE = `${RG('rg-render-build')}/providers/Microsoft.Compute/images/bif-img`;
const DEFINITION = `${GALLERY_ID}/images/ubuntu2204-render`;

describe('ComputePort over the wire', () => {
  it('inspects the build VM into preflight facts and disks to capture', async () => {
    const vm = await adapters.compute.inspectVirtualMachine(VM_ID);
    expect(vm.location).toBe('westeurope');
    expect(vm.facts).toEqual({
      osType: 'Linux',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      managedDisks: true,
      osDiskEncrypted: false,
      extensions: [],
      plan: undefined,
      // No securityProfile on the VM: Standard; no architecture on the disk: the VM size's (D4s_v5, x64).
      security: { securityType: 'Standard', architecture: 'x64' },
    });
    expect(vm.osDisk).toEqual({
      id: `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`,
      sizeGb: 64,
      sku: 'Premium_LRS',
    });
    expect(vm.dataDisks).toEqual([
      {
        lun: 0,
        id: `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-data0`,
        sizeGb: 128,
        sku: 'Premium_LRS',
      },
    ]);
  });

  it('reads the VM and its OS disk (for its encryption) only: data disks need no ARM read of their own', async () => {
    const other = await startSimulator({
      speed: 1,
      scenario: testScenario((s) => {
        const vm = s.virtualMachines![0]!;
        vm.dataDisks = [0, 1, 2].map((lun) => ({
          lun,
          name: `vm-data${lun}`,
          sizeGb: 256,
          sku: 'StandardSSD_LRS',
        }));
      }),
    });
    try {
      const vm = await adaptersFor(other).compute.inspectVirtualMachine(VM_ID);
      expect(vm.dataDisks.map((d) => [d.lun, d.sizeGb, d.sku])).toEqual([
        [0, 256, 'StandardSSD_LRS'],
        [1, 256, 'StandardSSD_LRS'],
        [2, 256, 'StandardSSD_LRS'],
      ]);
      const diskReads = other.recorder.since().filter((r) => r.method === 'GET' && /\/disks\//i.test(r.path));
      expect(diskReads).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });

  it.each([
    ['specialized-vm', { osState: 'Specialized' }],
    ['encrypted-os-disk', { osDiskEncrypted: true }],
    ['vm-with-extensions', { extensions: ['CustomScript'] }],
  ])('reports the facts of the %s scenario', async (scenario, expected) => {
    const other = await startSimulator({ speed: 1, scenario });
    try {
      expect((await adaptersFor(other).compute.inspectVirtualMachine(VM_ID)).facts).toMatchObject(expected);
    } finally {
      await other.stop();
    }
  });

  it('starts a snapshot without waiting, is idempotent, and reports provisioning on the clock', async () => {
    const spec = {
      id: SNAP('bif-os'),
      location: 'westeurope',
      sourceId: `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`,
    };
    expect((await adapters.compute.beginSnapshot(spec)).state).toBe('Creating');
    expect((await adapters.compute.beginSnapshot(spec)).state).toBe('Creating'); // a retried activity finds the same snapshot
    expect((await adapters.compute.getProvisioning(spec.id)).state).toBe('Creating');
    sim.clock.advance(5 * MINUTE);
    expect((await adapters.compute.getProvisioning(spec.id)).state).toBe('Succeeded');
    const inspected = await adapters.compute.inspectSnapshot(spec.id);
    expect(inspected).toMatchObject({ osType: 'Linux', sizeGb: 64, encrypted: false, state: 'Succeeded' });
  });

  it('makes a managed image, deletes intermediates, and treats a missing one as deleted', async () => {
    // The pipeline builds versions from snapshots; a managed image is a source users bring, made here
    // with the SDK client itself as they would (the ComputePort has no method for it).
    await computeClient(
      { armEndpoint: sim.armUrl, ca: sim.caCert },
      new SimulatorCredential('images'),
      SUB,
    ).images.beginCreateOrUpdate('rg-render-build', 'bif-img', {
      location: 'westeurope',
      hyperVGeneration: 'V2',
      storageProfile: {
        osDisk: { osType: 'Linux', osState: 'Generalized', snapshot: { id: SNAP('bif-os') } },
        zoneResilient: false,
      },
    });
    sim.clock.advance(5 * MINUTE);
    expect((await adapters.compute.getProvisioning(IMAGE)).state).toBe('Succeeded');
    await adapters.compute.beginDelete(SNAP('never-made'));
    expect((await adapters.compute.getProvisioning(SNAP('never-made'))).state).toBe('NotFound');
  });

  it('reads Microsoft.Batch registration of a subscription', async () => {
    expect(await adapters.compute.batchProviderState(SUB)).toBe('Registered');
  });
});

describe('GalleryPort over the wire', () => {
  it('finds no gallery, creates it, and reads its location', async () => {
    expect(await adapters.gallery.getGalleryLocation(GALLERY_ID)).toBeUndefined();
    expect((await adapters.gallery.ensureGallery(GALLERY_ID, 'westeurope')).state).toBe('Creating');
    sim.clock.advance(MINUTE);
    expect(await adapters.gallery.getGalleryLocation(GALLERY_ID)).toBe('westeurope');
    expect((await adapters.gallery.ensureGallery(GALLERY_ID, 'westeurope')).state).toBe('Succeeded');
  });

  it('creates a definition, accepts a matching one, and names every difference of a mismatch', async () => {
    const spec = {
      id: DEFINITION,
      location: 'westeurope',
      osType: 'Linux' as const,
      hyperVGeneration: 'V2' as const,
      identifier: { publisher: 'contoso', offer: 'render', sku: '2204' },
    };
    await adapters.gallery.ensureImageDefinition(spec);
    sim.clock.advance(MINUTE);
    expect((await adapters.gallery.ensureImageDefinition(spec)).state).toBe('Succeeded');
    const error = await adapters.gallery
      .ensureImageDefinition({ ...spec, osType: 'Windows', hyperVGeneration: 'V1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(
      /osType is Linux there but Windows in the request; hyperVGeneration is V2 there but V1 in the request/,
    );
  });

  it('creates a version with per-region replicas, reads replication, and re-requests a failed region', async () => {
    sim.addFault({ kind: 'regionReplicationFail', region: 'eastus', times: 1, atFraction: 0.3 });
    const versionId = `${DEFINITION}/versions/1.0.0`;
    const targetRegions = [
      { name: 'westeurope', replicaCount: 12, storageAccountType: 'Standard_ZRS' },
      { name: 'eastus', replicaCount: 4, storageAccountType: 'Standard_LRS' },
    ];
    await adapters.gallery.beginImageVersion({
      id: versionId,
      location: 'westeurope',
      source: { managedImageId: IMAGE },
      targetRegions,
      excludeFromLatest: false,
    });
    let replication = await adapters.gallery.getReplication(versionId);
    expect(replication.provisioningState).toBe('Creating');
    expect(replication.regions.map((r) => r.region)).toEqual(['westeurope', 'eastus']);
    sim.clock.advance(6 * 60 * MINUTE);
    replication = await adapters.gallery.getReplication(versionId);
    expect(Object.fromEntries(replication.regions.map((r) => [r.region, r.state]))).toEqual({
      westeurope: 'Completed',
      eastus: 'Failed',
    });
    await adapters.gallery.updateTargetRegions(versionId, targetRegions);
    expect(
      (await adapters.gallery.getReplication(versionId)).regions.find((r) => r.region === 'eastus')!.state,
    ).toBe('Replicating');
    sim.clock.advance(6 * 60 * MINUTE);
    expect(
      (await adapters.gallery.getReplication(versionId)).regions.every((r) => r.state === 'Completed'),
    ).toBe(true);
  });

  it('creates a version straight from snapshots', async () => {
    const versionId = `${DEFINITION}/versions/1.0.1`;
    await adapters.gallery.beginImageVersion({
      id: versionId,
      location: 'westeurope',
      source: { osSnapshotId: SNAP('bif-os'), dataDisks: [] },
      targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
      excludeFromLatest: true,
    });
    expect((await adapters.gallery.getReplication(versionId)).regions).toHaveLength(1);
  });

  it("reads the image's size from the version's disk images (storageProfile.osDiskImage.sizeInGB), for learned timings", async () => {
    // The OS snapshot is 64 GiB: Azure reports the captured disk images' sizes on the version (read-only).
    expect((await adapters.gallery.getReplication(`${DEFINITION}/versions/1.0.1`)).sizeGb).toBe(64);
  });

  it('lists versions across pages, updates publishing, and deletes', async () => {
    await adapters.gallery.beginImageVersion({
      id: `${DEFINITION}/versions/1.0.2`,
      location: 'westeurope',
      source: { managedImageId: IMAGE },
      targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
      excludeFromLatest: false,
    });
    const versions = await adapters.gallery.listVersions(DEFINITION);
    expect(versions.map((v) => v.name)).toEqual(['1.0.0', '1.0.1', '1.0.2']);
    expect(versions[0]!.targetRegions[0]).toEqual({
      name: 'westeurope',
      replicaCount: 12,
      storageAccountType: 'Standard_ZRS',
      excludeFromLatest: false,
    });
    await adapters.gallery.updateVersionPublishing(`${DEFINITION}/versions/1.0.0`, {
      excludeFromLatest: true,
      endOfLifeDate: '2027-01-01T00:00:00.000Z',
    });
    const updated = (await adapters.gallery.listVersions(DEFINITION))[0]!;
    expect(updated).toMatchObject({ excludeFromLatest: true, endOfLifeDate: '2027-01-01T00:00:00.000Z' });
    // Retired in every region too: the spec does not say the version-level flag overrides a region's.
    expect(updated.targetRegions.map((r) => r.excludeFromLatest)).toEqual(
      updated.targetRegions.map(() => true),
    );
    await adapters.gallery.beginDeleteVersion(`${DEFINITION}/versions/1.0.2`);
    sim.clock.advance(10 * MINUTE);
    expect((await adapters.gallery.getReplication(`${DEFINITION}/versions/1.0.2`)).provisioningState).toBe(
      'NotFound',
    );
    await adapters.gallery.beginDeleteVersion(`${DEFINITION}/versions/1.0.2`); // already gone: fine
  });
});

describe('version writes as Azure accepts them', () => {
  const compute = () =>
    computeClient({ armEndpoint: sim.armUrl, ca: sim.caCert }, new SimulatorCredential('writes'), SUB);
  const REGIONS = [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }];

  it('a retried createImageVersion finds the version its first attempt created, and refuses one it does not own', async () => {
    const spec = {
      id: `${DEFINITION}/versions/2.0.0`,
      location: 'westeurope',
      source: { managedImageId: IMAGE },
      targetRegions: REGIONS,
      excludeFromLatest: false,
      tags: { 'bif-instance': 'build-a', 'bif-request': 'r-a' },
    };
    expect((await adapters.gallery.beginImageVersion(spec)).state).toBe('Creating');
    // Durable delivers at least once: the same activity again, while Azure still creates the version.
    expect((await adapters.gallery.beginImageVersion(spec)).state).toBe('Creating');
    const other = await adapters.gallery
      .beginImageVersion({ ...spec, tags: { 'bif-instance': 'build-b', 'bif-request': 'r-b' } })
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(PermanentError);
    expect((other as Error).message).toMatch(/already exists.*build-a/);
  });

  it('asks to wait instead of writing while the version is still Creating (no PATCH sent)', async () => {
    const versionId = `${DEFINITION}/versions/2.0.0`;
    const before = sim.recorder.since(0).length;
    const busy = await adapters.gallery
      .updateTargetRegions(versionId, [
        ...REGIONS,
        { name: 'eastus', replicaCount: 1, storageAccountType: 'Standard_LRS' },
      ])
      .catch((e: unknown) => e);
    expect(busy).toMatchObject({ kind: 'transient', code: 'VersionBusy' });
    expect(sim.recorder.since(before).filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('treats a 409 from Azure during the write as "wait", not as a failure', async () => {
    const versionId = `${DEFINITION}/versions/2.0.0`;
    sim.clock.advance(24 * 60 * MINUTE);
    sim.addFault({
      kind: 'status',
      status: 409,
      code: 'AnotherOperationInProgress',
      method: 'PATCH',
      times: 1,
    });
    const busy = await adapters.gallery.updateTargetRegions(versionId, REGIONS).catch((e: unknown) => e);
    expect(busy).toMatchObject({ kind: 'transient', code: 'VersionBusy' });
  });

  it('sends the whole publishing profile back: per-region encryption and settings survive adding a region', async () => {
    const des = `${RG('rg-hpc-images')}/providers/Microsoft.Compute/diskEncryptionSets/des-weu`;
    await compute().galleryImageVersions.beginCreateOrUpdate(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
      '2.1.0',
      {
        location: 'westeurope',
        publishingProfile: {
          targetRegions: [
            {
              name: 'westeurope',
              regionalReplicaCount: 3,
              storageAccountType: 'Standard_ZRS',
              excludeFromLatest: true,
              encryption: { osDiskImage: { diskEncryptionSetId: des } },
            },
          ],
          endOfLifeDate: new Date(sim.clock.nowMs() + 365 * 24 * 60 * MINUTE),
        },
        storageProfile: { source: { id: IMAGE } },
      },
    );
    sim.clock.advance(24 * 60 * MINUTE);
    const versionId = `${DEFINITION}/versions/2.1.0`;
    await adapters.gallery.updateTargetRegions(versionId, [
      { name: 'westeurope', replicaCount: 3, storageAccountType: 'Standard_ZRS' },
      { name: 'eastus', replicaCount: 2, storageAccountType: 'Standard_LRS' },
    ]);
    const after = await compute().galleryImageVersions.get(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
      '2.1.0',
    );
    expect(after.publishingProfile?.targetRegions).toEqual([
      {
        name: 'westeurope',
        regionalReplicaCount: 3,
        storageAccountType: 'Standard_ZRS',
        excludeFromLatest: true,
        encryption: { osDiskImage: { diskEncryptionSetId: des } },
      },
      {
        name: 'eastus',
        regionalReplicaCount: 2,
        storageAccountType: 'Standard_LRS',
        excludeFromLatest: false,
      },
    ]);
    expect(after.publishingProfile?.endOfLifeDate).toBeDefined();
  });

  it('never lowers a replica count nor drops a region it was not asked about', async () => {
    const versionId = `${DEFINITION}/versions/2.1.0`;
    sim.clock.advance(24 * 60 * MINUTE);
    await adapters.gallery.updateTargetRegions(versionId, [
      { name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_ZRS' },
    ]);
    const regions = (await adapters.gallery.getReplication(versionId)).targetRegions;
    expect(regions.map((r) => [r.name, r.replicaCount])).toEqual([
      ['westeurope', 3],
      ['eastus', 2],
    ]);
  });
});
