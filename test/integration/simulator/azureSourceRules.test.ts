import type { ComputeManagementClient } from '@azure/arm-compute';
import { GALLERY_ID, MINUTE, RG, startTestSimulator } from '../../helpers/simulator';
import { readScenario } from '../../../src/local/simulator/scenario';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

/**
 * The Azure rules about where an image version's source lives and what kind of snapshot a disk allows,
 * through the real @azure/arm-compute client over HTTPS.
 */
const FAST = { updateIntervalInMs: 5 };
const BUILD_RG = 'rg-render-build';
const OS_DISK = `${RG(BUILD_RG)}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`;
const DATA_DISK = `${RG(BUILD_RG)}/providers/Microsoft.Compute/disks/vm-render-build-data0`;
const snapshotId = (name: string) => `${RG(BUILD_RG)}/providers/Microsoft.Compute/snapshots/${name}`;

async function failure(
  promise: Promise<unknown>,
): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode?: number; code?: string; message: string };
  }
  throw new Error('expected Azure to refuse the request');
}

async function started(sim: RunningSimulator, begin: Promise<{ pollUntilDone(): Promise<unknown> }>) {
  const poller = await begin;
  sim.clock.advance(10 * MINUTE);
  await poller.pollUntilDone();
}

async function galleryAndDefinition(
  sim: RunningSimulator,
  compute: ComputeManagementClient,
  location: string,
) {
  await started(
    sim,
    compute.galleries.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', { location }, FAST),
  );
  await started(
    sim,
    compute.galleryImages.beginCreateOrUpdate(
      'rg-hpc-images',
      'galHpcImages',
      'ubuntu2204-render',
      {
        location,
        osType: 'Linux',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'render', sku: '2204' },
      },
      FAST,
    ),
  );
}

const versionFrom = (compute: ComputeManagementClient, location: string, osSnapshot: string) =>
  compute.galleryImageVersions.beginCreateOrUpdate(
    'rg-hpc-images',
    'galHpcImages',
    'ubuntu2204-render',
    '1.0.0',
    {
      location,
      publishingProfile: { targetRegions: [{ name: location }] },
      storageProfile: { osDiskImage: { source: { id: osSnapshot } } },
    },
    FAST,
  );

describe('image version source region (Azure: "Source … is not found … same region")', () => {
  it('refuses a snapshot in another region than the version, with Azure’s code and message', async () => {
    const { sim, compute } = await startTestSimulator({ scenario: readScenario('cross-region-build-vm') });
    try {
      await started(
        sim,
        compute.snapshots.beginCreateOrUpdate(
          BUILD_RG,
          'snap-os',
          { location: 'northeurope', creationData: { createOption: 'Copy', sourceResourceId: OS_DISK } },
          FAST,
        ),
      );
      await galleryAndDefinition(sim, compute, 'westeurope');
      const error = await failure(versionFrom(compute, 'westeurope', snapshotId('snap-os')));
      expect(error.statusCode).toBe(404);
      expect(error.code).toBe('NotFound');
      expect(error.message).toBe(
        `Source ${snapshotId('snap-os')} is not found. Please check source exists, and is in the same region as gallery image version being created.`,
      );
    } finally {
      await sim.stop();
    }
  });

  it('copies an incremental snapshot across regions with CopyStart; completionPercent grows to 100 on the clock', async () => {
    const { sim, compute } = await startTestSimulator({ scenario: readScenario('cross-region-build-vm') });
    try {
      const take = (name: string, incremental: boolean) =>
        started(
          sim,
          compute.snapshots.beginCreateOrUpdate(
            BUILD_RG,
            name,
            {
              location: 'northeurope',
              incremental,
              creationData: { createOption: 'Copy', sourceResourceId: OS_DISK },
            },
            FAST,
          ),
        );
      await take('snap-os-full', false);
      await take('snap-os', true);
      await galleryAndDefinition(sim, compute, 'westeurope');
      const copy = (name: string, source: string, location: string, incremental = true) =>
        compute.snapshots.beginCreateOrUpdate(
          BUILD_RG,
          name,
          { location, incremental, creationData: { createOption: 'CopyStart', sourceResourceId: source } },
          FAST,
        );

      const fromFull = await failure(copy('copy-full', snapshotId('snap-os-full'), 'westeurope'));
      expect(fromFull).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
      expect(fromFull.message).toMatch(
        /only supported for creating an incremental snapshot from an incremental snapshot/,
      );
      const notIncremental = await failure(copy('copy-x', snapshotId('snap-os'), 'westeurope', false));
      expect(notIncremental).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
      const sameRegion = await failure(copy('copy-same', snapshotId('snap-os'), 'northeurope'));
      expect(sameRegion.message).toMatch(/another region/);

      await copy('snap-os-weu', snapshotId('snap-os'), 'westeurope');
      sim.clock.advance(5 * MINUTE);
      const early = await compute.snapshots.get(BUILD_RG, 'snap-os-weu');
      expect(early.provisioningState).toBe('Succeeded');
      expect(early.incremental).toBe(true);
      expect(early.completionPercent).toBeGreaterThan(0);
      expect(early.completionPercent).toBeLessThan(100);

      // The version refuses the copy until its data has arrived, then takes it.
      const tooEarly = await failure(versionFrom(compute, 'westeurope', snapshotId('snap-os-weu')));
      expect(tooEarly).toMatchObject({ statusCode: 409, code: 'Conflict' });
      expect(tooEarly.message).toMatch(/completionPercent/);
      sim.clock.advance(60 * MINUTE);
      expect((await compute.snapshots.get(BUILD_RG, 'snap-os-weu')).completionPercent).toBe(100);
      await versionFrom(compute, 'westeurope', snapshotId('snap-os-weu'));
      const version = await compute.galleryImageVersions.get(
        'rg-hpc-images',
        'galHpcImages',
        'ubuntu2204-render',
        '1.0.0',
      );
      expect(version.id).toBe(`${GALLERY_ID}/images/ubuntu2204-render/versions/1.0.0`);
    } finally {
      await sim.stop();
    }
  });
});

describe('Premium SSD v2 and Ultra disks take incremental snapshots only', () => {
  it('refuses a full snapshot of a PremiumV2_LRS disk; an incremental one copies in the background', async () => {
    const { sim, compute } = await startTestSimulator({ scenario: readScenario('premium-v2-data-disk') });
    try {
      const snapshot = (name: string, incremental: boolean) =>
        compute.snapshots.beginCreateOrUpdate(
          BUILD_RG,
          name,
          {
            location: 'westeurope',
            incremental,
            creationData: { createOption: 'Copy', sourceResourceId: DATA_DISK },
          },
          FAST,
        );
      const full = await failure(snapshot('snap-data-full', false));
      expect(full).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
      expect(full.message).toMatch(/PremiumV2_LRS: only incremental snapshots/);
      await snapshot('snap-data', true);
      sim.clock.advance(5 * MINUTE);
      const taken = await compute.snapshots.get(BUILD_RG, 'snap-data');
      expect(taken.provisioningState).toBe('Succeeded');
      expect(taken.completionPercent).toBeLessThan(100);
      sim.clock.advance(60 * MINUTE);
      expect((await compute.snapshots.get(BUILD_RG, 'snap-data')).completionPercent).toBe(100);
    } finally {
      await sim.stop();
    }
  });
});

describe('Premium SSD v2 and Ultra Disks cannot be used with Azure Compute Gallery', () => {
  it.each(['UltraSSD_LRS', 'PremiumV2_LRS'])(
    'refuses a version whose source snapshot was taken from a %s disk',
    async (sku) => {
      const scenario = readScenario('premium-v2-data-disk');
      scenario.virtualMachines![0]!.osDisk.sku = sku;
      const { sim, compute } = await startTestSimulator({ scenario });
      try {
        await started(
          sim,
          compute.snapshots.beginCreateOrUpdate(
            BUILD_RG,
            'snap-os',
            {
              location: 'westeurope',
              incremental: true,
              creationData: { createOption: 'Copy', sourceResourceId: OS_DISK },
            },
            FAST,
          ),
        );
        sim.clock.advance(120 * MINUTE);
        await galleryAndDefinition(sim, compute, 'westeurope');
        const error = await failure(versionFrom(compute, 'westeurope', snapshotId('snap-os')));
        expect(error).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
        expect(error.message).toMatch(
          new RegExp(`from a ${sku} disk; .* can't be used with Azure Compute Gallery`),
        );
      } finally {
        await sim.stop();
      }
    },
  );
});

describe('image definition identifiers', () => {
  it('refuses a second definition with the same publisher/offer/sku, and bad identifier characters', async () => {
    const { sim, compute } = await startTestSimulator();
    try {
      await galleryAndDefinition(sim, compute, 'westeurope');
      const define = (name: string, identifier: { publisher: string; offer: string; sku: string }) =>
        compute.galleryImages.beginCreateOrUpdate(
          'rg-hpc-images',
          'galHpcImages',
          name,
          {
            location: 'westeurope',
            osType: 'Linux',
            osState: 'Generalized',
            hyperVGeneration: 'V2',
            identifier,
          },
          FAST,
        );
      const duplicate = await failure(
        define('other-name', { publisher: 'Contoso', offer: 'render', sku: '2204' }),
      );
      expect(duplicate).toMatchObject({ statusCode: 409, code: 'OperationNotAllowed' });
      expect(duplicate.message).toBe(
        'Gallery image: ubuntu2204-render identified by (publisher:Contoso, offer:render, sku:2204) already exists. Choose a different publisher, offer, sku combination.',
      );
      const badSku = await failure(define('third', { publisher: 'contoso', offer: 'render', sku: '22.04.' }));
      expect(badSku).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
      expect(badSku.message).toMatch(/^Asset name galleryImage.properties.identifier.sku is not valid/);
      const badName = await failure(define('_hidden', { publisher: 'contoso', offer: 'x', sku: '1' }));
      expect(badName.message).toMatch(/The entity name '_hidden' is invalid/);
    } finally {
      await sim.stop();
    }
  });
});
