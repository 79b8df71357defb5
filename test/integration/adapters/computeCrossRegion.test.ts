import { startSimulator, type RunningSimulator } from '../../../src/local/simulator/simulator';
import { readScenario } from '../../../src/local/simulator/scenario';
import { adaptersFor, GALLERY_ID, MINUTE, RG, SUB } from '../../helpers/simulator';
import { PermanentError } from '../../../src/domain/errors';
import { preflight } from '../../../src/activities/preflight';
import { exampleRequest, SUB_B } from '../../helpers/requests';

/** The production Compute adapter against the simulator for the cross-region and disk-kind rules. */
const SNAP = (name: string) => `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/${name}`;
const OS_DISK = `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`;

describe('ComputePort: incremental snapshots copied across regions', () => {
  let sim: RunningSimulator;
  let adapters: ReturnType<typeof adaptersFor>;
  beforeAll(async () => {
    sim = await startSimulator({ speed: 1, scenario: readScenario('cross-region-build-vm') });
    adapters = adaptersFor(sim);
  });
  afterAll(() => sim.stop());

  it('takes an incremental snapshot, copies it with CopyStart and reports completionPercent until 100', async () => {
    await adapters.compute.beginSnapshot({ id: SNAP('s-os'), location: 'northeurope', sourceId: OS_DISK });
    sim.clock.advance(10 * MINUTE);
    expect(await adapters.compute.inspectSnapshot(SNAP('s-os'))).toMatchObject({
      location: 'northeurope',
      incremental: true,
      state: 'Succeeded',
    });
    // An ordinary snapshot has no background copy to wait for.
    expect((await adapters.compute.getProvisioning(SNAP('s-os'))).completionPercent).toBeUndefined();

    await adapters.compute.beginSnapshotCopy({
      id: SNAP('s-os-westeurope'),
      location: 'westeurope',
      sourceSnapshotId: SNAP('s-os'),
      tags: { 'bif-instance': 'x' },
    });
    sim.clock.advance(5 * MINUTE);
    const copying = await adapters.compute.getProvisioning(SNAP('s-os-westeurope'));
    expect(copying.state).toBe('Succeeded');
    expect(copying.completionPercent).toBeGreaterThan(0);
    expect(copying.completionPercent).toBeLessThan(100);
    sim.clock.advance(60 * MINUTE);
    expect(await adapters.compute.getProvisioning(SNAP('s-os-westeurope'))).toEqual({
      id: SNAP('s-os-westeurope'),
      state: 'Succeeded',
      completionPercent: 100,
    });
  });

  it('reads a managed image’s region, and the gallery’s definitions with their publisher/offer/sku', async () => {
    const missing = `${RG('rg-render-build')}/providers/Microsoft.Compute/images/nope`;
    expect(await adapters.compute.inspectManagedImage(missing)).toEqual({ id: missing, state: 'NotFound' });
    expect(await adapters.compute.listImageDefinitions(GALLERY_ID)).toEqual([]);
    await adapters.gallery.ensureImageDefinition({
      id: `${GALLERY_ID}/images/render-legacy`,
      location: 'westeurope',
      osType: 'Linux',
      hyperVGeneration: 'V2',
      identifier: { publisher: 'contoso', offer: 'render', sku: '2204' },
    });
    expect(await adapters.compute.listImageDefinitions(GALLERY_ID)).toEqual([
      // No features and no architecture: a Standard x64 definition, as GalleryRP defaults them.
      {
        name: 'render-legacy',
        publisher: 'contoso',
        offer: 'render',
        sku: '2204',
        securityType: 'Standard',
        architecture: 'x64',
      },
    ]);
    const otherGallery = `${RG('rg-hpc-images')}/providers/Microsoft.Compute/galleries/galNone`;
    expect(await adapters.compute.listImageDefinitions(otherGallery)).toEqual([]);

    // Preflight over the wire: the build VM is in North Europe, the gallery in West Europe, and the
    // example's publisher/offer/sku is already taken by render-legacy.
    const plan = await preflight(
      { ...adapters, events: { publish: async () => undefined }, clock: { now: () => sim.clock.now() } },
      { request: exampleRequest(), instanceId: 'bif-x' },
    );
    expect(plan.findings.map((f) => f.code)).toContain('IMAGE_IDENTIFIER_TAKEN');
    expect(plan.disks.map((d) => d.copyId?.endsWith('-westeurope'))).toEqual([true, true]);
    expect(plan.sourceLocation).toBe('northeurope');
  });
});

describe('ComputePort: provider registration read refused (403)', () => {
  it('maps the 403 to a permanent AuthorizationFailed, which preflight turns into a warning', async () => {
    const sim = await startSimulator({ speed: 1, scenario: readScenario('demo') });
    try {
      const adapters = adaptersFor(sim);
      sim.addFault({
        kind: 'status',
        service: 'arm',
        method: 'GET',
        pathContains: `/subscriptions/${SUB}/providers/Microsoft.Batch`,
        status: 403,
        code: 'AuthorizationFailed',
        message: `The client 'bif' with object id 'bif' does not have authorization to perform action 'Microsoft.Resources/subscriptions/providers/read' over scope '/subscriptions/${SUB}' or the scope is invalid.`,
      });
      const error = await adapters.compute.batchProviderState(SUB).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentError);
      expect(error).toMatchObject({ code: 'AuthorizationFailed' });

      const request = exampleRequest('one-region-small', (i) => {
        const pool = (i.pools as { account: { id: string } }[])[0]!;
        pool.account.id = pool.account.id.replace(SUB, SUB_B);
      });
      const plan = await preflight(
        { ...adapters, events: { publish: async () => undefined }, clock: { now: () => sim.clock.now() } },
        { request, instanceId: 'bif-403' },
      );
      expect(plan.findings.find((f) => f.code === 'BATCH_PROVIDER_STATE_UNKNOWN')).toMatchObject({
        severity: 'warning',
        path: 'pools[0].account.id',
      });
    } finally {
      await sim.stop();
    }
  });
});
