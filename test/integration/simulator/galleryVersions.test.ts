import type { ComputeManagementClient } from '@azure/arm-compute';
import { startTestSimulator, MINUTE, publishVersion, RG, VM_ID } from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

// The gallery image version surface of GalleryRP, through the real @azure/arm-compute client.
let sim: RunningSimulator;
let compute: ComputeManagementClient;
beforeAll(async () => {
  ({ sim, compute } = await startTestSimulator());
  await publishVersion(sim, compute, { version: '1.0.0' });
});
afterAll(() => sim.stop());

const DEF = 'ubuntu2204-render';
const IMAGE = `${RG('rg-render-build')}/providers/Microsoft.Compute/images/img-${DEF}`;
const DISK = (name: string) => `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/${name}`;
const get = (version: string) =>
  compute.galleryImageVersions.get('rg-hpc-images', 'galHpcImages', DEF, version);
const put = (version: string, body: Record<string, unknown>) =>
  compute.galleryImageVersions.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', DEF, version, {
    location: 'westeurope',
    publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
    ...body,
  });
const patch = (version: string, body: Record<string, unknown>) =>
  compute.galleryImageVersions.beginUpdate('rg-hpc-images', 'galHpcImages', DEF, version, body);

describe('writes to a gallery image version', () => {
  it('refuses a write while the version is Creating or Updating (409 AnotherOperationInProgress)', async () => {
    const body = { storageProfile: { source: { id: IMAGE } } };
    await put('2.0.0', body);
    expect((await get('2.0.0')).provisioningState).toBe('Creating');
    // A retried create (same body) is refused too: the first one still runs.
    await expect(put('2.0.0', body)).rejects.toMatchObject({
      statusCode: 409,
      code: 'AnotherOperationInProgress',
    });
    await expect(patch('2.0.0', { storageProfile: {}, publishingProfile: {} })).rejects.toMatchObject({
      statusCode: 409,
      code: 'AnotherOperationInProgress',
    });
    sim.clock.advance(24 * 60 * MINUTE);
    await patch('2.0.0', {
      storageProfile: {},
      publishingProfile: { targetRegions: [{ name: 'westeurope' }, { name: 'eastus' }] },
    });
    expect((await get('2.0.0')).provisioningState).toBe('Updating');
    await expect(patch('2.0.0', { storageProfile: {} })).rejects.toMatchObject({ statusCode: 409 });
  });

  it('refuses a version name part over 2147483647 (GalleryRP: each part within a 32-bit integer)', async () => {
    const body = { storageProfile: { source: { id: IMAGE } } };
    await expect(put('1.0.2147483648', body)).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter',
      message: expect.stringMatching(/image version name is invalid.*2147483647/),
    });
    await expect(put('2147483648.0.0', body)).rejects.toMatchObject({ statusCode: 400 });
    await put('2147483647.2147483647.2147483647', body);
    expect((await get('2147483647.2147483647.2147483647')).name).toBe('2147483647.2147483647.2147483647');
  });

  it('refuses a PATCH without storageProfile (required by GalleryImageVersionProperties)', async () => {
    await expect(patch('1.0.0', { publishingProfile: { excludeFromLatest: true } })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter',
      message: expect.stringMatching(/storageProfile/),
    });
    await patch('1.0.0', { publishingProfile: { excludeFromLatest: true }, storageProfile: {} });
    expect((await get('1.0.0')).publishingProfile?.excludeFromLatest).toBe(true);
  });

  it('requires a future end-of-life date, but accepts the one the version already has', async () => {
    const past = new Date(sim.clock.nowMs() - MINUTE);
    await expect(
      patch('1.0.0', { publishingProfile: { endOfLifeDate: past }, storageProfile: {} }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/future date/) });
    const soon = new Date(sim.clock.nowMs() + 60 * MINUTE);
    await patch('1.0.0', { publishingProfile: { endOfLifeDate: soon }, storageProfile: {} });
    sim.clock.advance(2 * 60 * MINUTE);
    await patch('1.0.0', { publishingProfile: { endOfLifeDate: soon }, storageProfile: {} });
    expect((await get('1.0.0')).publishingProfile?.endOfLifeDate).toEqual(soon);
  });

  it('refuses changing the source, a region storage account type or the strategy (not updatable)', async () => {
    await expect(
      patch('1.0.0', { storageProfile: { source: { virtualMachineId: VM_ID } } }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'PropertyChangeNotAllowed' });
    await expect(
      patch('1.0.0', {
        storageProfile: {},
        publishingProfile: { targetRegions: [{ name: 'westeurope', storageAccountType: 'Premium_LRS' }] },
      }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'PropertyChangeNotAllowed' });
    await expect(
      patch('1.0.0', {
        storageProfile: {},
        publishingProfile: { storageAccountStrategy: 'DefaultStandard_LRS' },
      }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'PropertyChangeNotAllowed' });
  });
});

describe('storage account type and strategy', () => {
  it('defaults to PreferStandard_ZRS: ZRS where the region has zones, LRS elsewhere, a region may override', async () => {
    await put('3.0.0', {
      storageProfile: { source: { id: IMAGE } },
      publishingProfile: {
        targetRegions: [
          { name: 'westeurope' },
          { name: 'westus' },
          { name: 'eastus', storageAccountType: 'Premium_LRS' },
        ],
      },
    });
    const profile = (await get('3.0.0')).publishingProfile!;
    expect(profile.storageAccountStrategy).toBe('PreferStandard_ZRS');
    expect(profile.storageAccountType).toBeUndefined();
    expect(profile.targetRegions!.map((r) => [r.name, r.storageAccountType])).toEqual([
      ['westeurope', 'Standard_ZRS'],
      ['westus', 'Standard_LRS'],
      ['eastus', 'Premium_LRS'],
    ]);
  });

  it('refuses storageAccountType together with storageAccountStrategy', async () => {
    await expect(
      put('3.0.1', {
        storageProfile: { source: { id: IMAGE } },
        publishingProfile: {
          targetRegions: [{ name: 'westeurope' }],
          storageAccountType: 'Standard_LRS',
          storageAccountStrategy: 'PreferStandard_ZRS',
        },
      }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/cannot be specified along/) });
  });

  it('takes an explicit storageAccountType for every region that does not override it', async () => {
    await put('3.0.2', {
      storageProfile: { source: { id: IMAGE } },
      publishingProfile: { targetRegions: [{ name: 'westeurope' }], storageAccountType: 'Standard_LRS' },
    });
    const profile = (await get('3.0.2')).publishingProfile!;
    expect(profile.storageAccountStrategy).toBeUndefined();
    expect(profile.targetRegions![0]!.storageAccountType).toBe('Standard_LRS');
  });
});

describe('every source kind of GalleryImageVersionStorageProfile', () => {
  it('captures straight from a virtual machine, with its data disks', async () => {
    await put('4.0.0', { storageProfile: { source: { virtualMachineId: VM_ID } } });
    const storage = (await get('4.0.0')).storageProfile!;
    expect(storage.source).toEqual({ virtualMachineId: VM_ID });
    expect(storage.osDiskImage?.sizeInGB).toBe(64);
    expect(storage.dataDiskImages).toEqual([{ lun: 0, sizeInGB: 128, hostCaching: 'None' }]);
  });

  it('takes a virtual machine by source.id as well', async () => {
    await put('4.0.1', { storageProfile: { source: { id: VM_ID } } });
    expect((await get('4.0.1')).storageProfile!.dataDiskImages).toHaveLength(1);
  });

  it("reflects a managed image's data disks in storageProfile.dataDiskImages", async () => {
    await compute.snapshots.beginCreateOrUpdate('rg-render-build', 'snap-data-src', {
      location: 'westeurope',
      creationData: { createOption: 'Copy', sourceResourceId: DISK('vm-render-build-data0') },
    });
    sim.clock.advance(10 * MINUTE);
    await compute.images.beginCreateOrUpdate('rg-render-build', 'img-with-data', {
      location: 'westeurope',
      storageProfile: {
        osDisk: {
          osType: 'Linux',
          osState: 'Generalized',
          snapshot: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/snap-${DEF}` },
        },
        dataDisks: [
          {
            lun: 3,
            snapshot: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/snap-data-src` },
          },
        ],
      },
    });
    sim.clock.advance(10 * MINUTE);
    await put('4.0.2', {
      storageProfile: {
        source: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/images/img-with-data` },
      },
    });
    expect((await get('4.0.2')).storageProfile!.dataDiskImages).toEqual([
      { lun: 3, sizeInGB: 128, hostCaching: 'None' },
    ]);
  });

  it('copies another gallery image version, disks included', async () => {
    sim.clock.advance(24 * 60 * MINUTE);
    const sourceId = (await get('4.0.0')).id!;
    await put('4.0.3', { storageProfile: { source: { id: sourceId } } });
    const storage = (await get('4.0.3')).storageProfile!;
    expect(storage.source?.id).toBe(sourceId);
    expect(storage.dataDiskImages).toEqual([{ lun: 0, sizeInGB: 128, hostCaching: 'None' }]);
  });

  it('takes managed disks (or snapshots) per disk', async () => {
    await put('4.0.4', {
      storageProfile: {
        osDiskImage: { source: { id: DISK('vm-render-build-osdisk') } },
        dataDiskImages: [{ lun: 0, source: { id: DISK('vm-render-build-data0') } }],
      },
    });
    const storage = (await get('4.0.4')).storageProfile!;
    expect(storage.osDiskImage?.sizeInGB).toBe(64);
    expect(storage.dataDiskImages?.map((d) => [d.lun, d.sizeInGB])).toEqual([[0, 128]]);
  });

  it('takes a VHD blob per disk (uri with the storageAccountId holding it), and refuses half of that pair', async () => {
    const account = `${RG('rg-render-build')}/providers/Microsoft.Storage/storageAccounts/stvhds`;
    const uri = 'https://stvhds.blob.core.windows.net/vhds/render-os.vhd';
    await put('4.0.5', { storageProfile: { osDiskImage: { source: { uri, storageAccountId: account } } } });
    expect((await get('4.0.5')).storageProfile!.osDiskImage?.source).toMatchObject({ uri });
    await expect(
      put('4.0.6', { storageProfile: { osDiskImage: { source: { uri } } } }),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/storageAccountId must be the resource id/),
    });
  });

  it.each([
    [
      'a source both under storageProfile and per disk',
      { source: { id: IMAGE }, osDiskImage: { source: { id: DISK('vm-render-build-osdisk') } } },
      /One and only one source type/,
    ],
    ['no source at all', {}, /One and only one source type/],
    [
      'a disk as storageProfile.source.id',
      { source: { id: DISK('vm-render-build-osdisk') } },
      /must either be a managed image, virtual machine or another gallery image version/,
    ],
    [
      'an image as an OS disk source',
      { osDiskImage: { source: { id: IMAGE } } },
      /must be a managed disk or snapshot/,
    ],
    [
      'duplicated luns',
      {
        osDiskImage: { source: { id: DISK('vm-render-build-osdisk') } },
        dataDiskImages: [
          { lun: 1, source: { id: DISK('vm-render-build-data0') } },
          {
            lun: 1,
            source: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/snap-data-src` },
          },
        ],
      },
      /Duplicated lun numbers/,
    ],
  ])('refuses %s with a message naming the rule', async (_name, storageProfile, message) => {
    await expect(put('4.9.9', { storageProfile })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidParameter',
      message: expect.stringMatching(message),
    });
  });

  it('answers 404 for a source that does not exist', async () => {
    await expect(
      put('4.9.9', { storageProfile: { source: { id: `${IMAGE}-missing` } } }),
    ).rejects.toMatchObject({ statusCode: 404, message: expect.stringMatching(/is not found/) });
  });
});
