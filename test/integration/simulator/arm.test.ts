import type { ComputeManagementClient } from '@azure/arm-compute';
import { startTestSimulator, GALLERY_ID, MINUTE, rawRequest, RG, SUB, VM_ID } from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

// Real @azure/arm-compute client → simulator over HTTPS. Time moves only when the test advances it.
let sim: RunningSimulator;
let compute: ComputeManagementClient;
const FAST = { updateIntervalInMs: 5 };

/** Starts an LRO, lets simulated time pass, then polls it to the end. */
async function lro<T>(begin: Promise<{ pollUntilDone(): Promise<T> }>, advanceMs: number): Promise<T> {
  const poller = await begin;
  sim.clock.advance(advanceMs);
  return poller.pollUntilDone();
}

beforeAll(async () => {
  ({ sim, compute } = await startTestSimulator());
});
afterAll(() => sim.stop());

const OS_DISK = `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`;
const DATA_DISK = `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-data0`;

describe('ARM Compute over the wire', () => {
  it('reads a VM with its disks, extensions and generalized state', async () => {
    const vm = await compute.virtualMachines.get('rg-render-build', 'vm-render-build', {
      expand: 'instanceView',
    });
    expect(vm.id).toBe(VM_ID);
    expect(vm.storageProfile?.osDisk?.managedDisk?.id).toBe(OS_DISK);
    expect(vm.storageProfile?.dataDisks?.map((d) => d.lun)).toEqual([0]);
    expect(vm.instanceView?.statuses?.map((s) => s.code)).toContain('OSState/generalized');
    expect(vm.resources ?? []).toEqual([]);
    const disk = await compute.disks.get('rg-render-build', 'vm-render-build-osdisk');
    expect(disk.diskSizeGB).toBe(64);
  });

  it('creates a snapshot of a disk through the LRO, Creating → Succeeded on the clock', async () => {
    const poller = await compute.snapshots.beginCreateOrUpdate(
      'rg-render-build',
      'snap-os',
      {
        location: 'westeurope',
        creationData: { createOption: 'Copy', sourceResourceId: OS_DISK },
      },
      FAST,
    );
    expect((await compute.snapshots.get('rg-render-build', 'snap-os')).provisioningState).toBe('Creating');
    sim.clock.advance(5 * MINUTE);
    const snapshot = await poller.pollUntilDone();
    expect(snapshot.provisioningState).toBe('Succeeded');
    expect(snapshot.creationData?.sourceResourceId).toBe(OS_DISK);
    expect(snapshot.osType).toBe('Linux');
    const data = await lro(
      compute.snapshots.beginCreateOrUpdate(
        'rg-render-build',
        'snap-data0',
        { location: 'westeurope', creationData: { createOption: 'Copy', sourceResourceId: DATA_DISK } },
        FAST,
      ),
      5 * MINUTE,
    );
    expect(data.diskSizeGB).toBe(128);
  });

  it('makes a managed image from the snapshots', async () => {
    const poller = await compute.images.beginCreateOrUpdate(
      'rg-render-build',
      'img-render',
      {
        location: 'westeurope',
        hyperVGeneration: 'V2',
        storageProfile: {
          osDisk: {
            osType: 'Linux',
            osState: 'Generalized',
            snapshot: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/snap-os` },
          },
          dataDisks: [
            {
              lun: 0,
              snapshot: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/snap-data0` },
            },
          ],
        },
      },
      FAST,
    );
    sim.clock.advance(5 * MINUTE);
    const image = await poller.pollUntilDone();
    expect(image.provisioningState).toBe('Succeeded');
    expect(image.storageProfile?.osDisk?.caching).toBe('ReadWrite');
  });

  it('creates a gallery and a definition, and refuses to change an immutable property', async () => {
    const gallery = await lro(
      compute.galleries.beginCreateOrUpdate(
        'rg-hpc-images',
        'galHpcImages',
        { location: 'westeurope' },
        FAST,
      ),
      MINUTE,
    );
    expect(gallery.identifier?.uniqueName).toBe(`${SUB}-GALHPCIMAGES`);
    const definition = {
      location: 'westeurope',
      osType: 'Linux' as const,
      osState: 'Generalized' as const,
      hyperVGeneration: 'V2' as const,
      identifier: { publisher: 'contoso', offer: 'render', sku: '2204' },
    };
    const created = await lro(
      compute.galleryImages.beginCreateOrUpdate(
        'rg-hpc-images',
        'galHpcImages',
        'ubuntu2204-render',
        definition,
        FAST,
      ),
      MINUTE,
    );
    expect(created.provisioningState).toBe('Succeeded');
    await expect(
      compute.galleryImages.beginCreateOrUpdateAndWait(
        'rg-hpc-images',
        'galHpcImages',
        'ubuntu2204-render',
        { ...definition, osState: 'Specialized' },
        FAST,
      ),
    ).rejects.toMatchObject({ statusCode: 409, code: 'PropertyChangeNotAllowed' });
  });

  it('replicates a version per region on the clock, fails an injected region, and retries it with a PATCH', async () => {
    sim.addFault({ kind: 'regionReplicationFail', region: 'eastus', times: 1, atFraction: 0.5 });
    const source = { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/images/img-render` };
    await compute.galleryImageVersions.beginCreateOrUpdate(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
      '1.0.0',
      {
        location: 'westeurope',
        publishingProfile: {
          targetRegions: [
            { name: 'westeurope', regionalReplicaCount: 3, storageAccountType: 'Standard_LRS' },
            { name: 'eastus', regionalReplicaCount: 2 },
            { name: 'southeastasia', regionalReplicaCount: 1 },
          ],
        },
        storageProfile: { source },
      },
    );
    const status = async () =>
      (
        await compute.galleryImageVersions.get(
          'rg-hpc-images',
          'galHpcImages',
          'ubuntu2204-render',
          '1.0.0',
          { expand: 'ReplicationStatus' },
        )
      ).replicationStatus!;
    let s = await status();
    expect(s.aggregatedState).toBe('InProgress');
    expect(s.summary!.map((r) => [r.region, r.state, r.progress])).toEqual([
      ['westeurope', 'Replicating', 0],
      ['eastus', 'Replicating', 0],
      ['southeastasia', 'Replicating', 0],
    ]);
    sim.clock.advance(30 * MINUTE);
    s = await status();
    const progress = Object.fromEntries(s.summary!.map((r) => [r.region, r.progress!]));
    // Regions move independently; the gallery's home region is the fastest (no cross-region copy).
    expect(progress.southeastasia).toBeGreaterThan(0);
    expect(progress.westeurope).toBeGreaterThan(progress.eastus!);
    expect(progress.westeurope).toBeGreaterThan(progress.southeastasia!);
    sim.clock.advance(300 * MINUTE);
    s = await status();
    expect(Object.fromEntries(s.summary!.map((r) => [r.region, r.state]))).toEqual({
      westeurope: 'Completed',
      eastus: 'Failed',
      southeastasia: 'Completed',
    });
    expect(s.aggregatedState).toBe('Failed');
    expect(s.summary!.find((r) => r.region === 'eastus')!.details).toMatch(/failed/);

    // Retry only the failed region by PATCHing the same target regions.
    const current = await compute.galleryImageVersions.get(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
      '1.0.0',
    );
    await compute.galleryImageVersions.beginUpdate(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
      '1.0.0',
      {
        publishingProfile: { targetRegions: current.publishingProfile!.targetRegions },
        storageProfile: {},
      },
    );
    s = await status();
    expect(Object.fromEntries(s.summary!.map((r) => [r.region, r.state]))).toEqual({
      westeurope: 'Completed',
      eastus: 'Replicating',
      southeastasia: 'Completed',
    });
    sim.clock.advance(300 * MINUTE);
    expect((await status()).aggregatedState).toBe('Completed');
  });

  it('refuses more than 100 replicas and a version without its own region', async () => {
    const source = { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/images/img-render` };
    await expect(
      compute.galleryImageVersions.beginCreateOrUpdate(
        'rg-hpc-images',
        'galHpcImages',
        'ubuntu2204-render',
        '9.9.9',
        {
          location: 'westeurope',
          publishingProfile: { targetRegions: [{ name: 'westeurope', regionalReplicaCount: 101 }] },
          storageProfile: { source },
        },
      ),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
    await expect(
      compute.galleryImageVersions.beginCreateOrUpdate(
        'rg-hpc-images',
        'galHpcImages',
        'ubuntu2204-render',
        '9.9.9',
        {
          location: 'westeurope',
          publishingProfile: { targetRegions: [{ name: 'eastus' }] },
          storageProfile: { source },
        },
      ),
    ).rejects.toThrow(/must contain the location of the image version/);
  });

  it('lists versions across pages with nextLink', async () => {
    const source = { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/images/img-render` };
    for (const v of ['1.0.1', '1.0.2']) {
      await compute.galleryImageVersions.beginCreateOrUpdate(
        'rg-hpc-images',
        'galHpcImages',
        'ubuntu2204-render',
        v,
        {
          location: 'westeurope',
          publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
          storageProfile: { source },
        },
      );
    }
    const names: string[] = [];
    for await (const v of compute.galleryImageVersions.listByGalleryImage(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
    ))
      names.push(v.name!);
    expect(names).toEqual(['1.0.0', '1.0.1', '1.0.2']);
    const pages = sim.recorder.since(0).filter((r) => r.path.includes('/versions?') && r.method === 'GET');
    expect(pages.some((r) => r.path.includes('skiptoken'))).toBe(true);
  });

  it('refuses a $skiptoken it did not issue with 400, not an empty page', async () => {
    const list = `${GALLERY_ID}/images/ubuntu2204-render/versions?api-version=2025-03-03`;
    for (const token of ['abc', '-1', '1.5', '']) {
      const answer = await rawRequest(sim, 'GET', `${list}&$skiptoken=${encodeURIComponent(token)}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 'InvalidSkipToken',
        message: expect.stringContaining('nextLink'),
      });
    }
    expect((await rawRequest(sim, 'GET', `${list}&$skiptoken=0`)).body.value.length).toBeGreaterThan(0);
  });

  it('deletes a version through the Location LRO', async () => {
    const poller = await compute.galleryImageVersions.beginDelete(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
      '1.0.2',
      FAST,
    );
    expect(
      (await compute.galleryImageVersions.get('rg-hpc-images', 'galHpcImages', 'ubuntu2204-render', '1.0.2'))
        .provisioningState,
    ).toBe('Deleting');
    sim.clock.advance(5 * MINUTE);
    await poller.pollUntilDone();
    await expect(
      compute.galleryImageVersions.get('rg-hpc-images', 'galHpcImages', 'ubuntu2204-render', '1.0.2'),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('answers the Microsoft.Batch registration state of a subscription', async () => {
    const response = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${SUB}/providers/Microsoft.Batch?api-version=2021-04-01`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ namespace: 'Microsoft.Batch', registrationState: 'Registered' });
  });

  it('answers Azure-shaped errors with the real codes', async () => {
    const missing = await rawRequest(sim, 'GET', `${GALLERY_ID}/images/nope?api-version=2025-03-03`);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'ResourceNotFound' } } });
    const parent = await rawRequest(
      sim,
      'PUT',
      `${GALLERY_ID.replace('galHpcImages', 'nogallery')}/images/x?api-version=2025-03-03`,
      {
        location: 'westeurope',
        properties: {
          osType: 'Linux',
          osState: 'Generalized',
          identifier: { publisher: 'a', offer: 'b', sku: 'c' },
        },
      },
    );
    expect(parent.body.error.code).toBe('ParentResourceNotFound');
    const group = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${SUB}/resourceGroups/rg-missing/providers/Microsoft.Compute/galleries/g?api-version=2025-03-03`,
    );
    expect(group.body.error.code).toBe('ResourceGroupNotFound');
    const apiVersion = await rawRequest(sim, 'GET', GALLERY_ID);
    expect(apiVersion.body.error.code).toBe('MissingApiVersionParameter');
  });
});
