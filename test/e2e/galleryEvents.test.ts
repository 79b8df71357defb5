import { startTestWorld, type TestWorld } from '../helpers/world';
import { exampleInput } from '../helpers/requests';
import { ACCOUNT_WEU, GALLERY_ID, RG, SUB, adaptersFor, rawRequest } from '../helpers/simulator';
import { pipelineInstanceId, rolloutInstanceId } from '../../src/domain/pipeline';
import { ledgerInstanceId } from '../../src/domain/ledger';
import { computeClient } from '../../src/azure/clients';
import { SimulatorCredential } from '../../src/azure/credentials';
import { galleryEventsSubscription } from '../../src/local/eventGridWebhook';
import { RESOURCE_DELETE_SUCCESS, RESOURCE_WRITE_SUCCESS } from '../../src/local/simulator/eventGrid';

jest.setTimeout(180_000);

/**
 * Gallery events as Azure delivers them: the simulator raises Event Grid events for every ARM write
 * and delivers them to the host's webhook. The pipeline's own retention PATCHes and DELETEs older
 * versions of the watched definition; those must not roll anything out. A version someone else
 * publishes must, once, however often Event Grid delivers it.
 */
const DEFINITION = 'ubuntu2204-render';
const versionId = (v: string) => `${GALLERY_ID}/images/${DEFINITION}/versions/${v}`;
const factory = {
  images: [
    {
      image: {
        galleryId: GALLERY_ID,
        definition: DEFINITION,
        osType: 'Linux',
        identifier: { publisher: 'contoso', offer: 'render', sku: '2204' },
      },
      followers: [
        {
          account: ACCOUNT_WEU,
          poolIdTemplate: 'follow-{version}',
          vmSize: 'Standard_D4s_v5',
          targetDedicatedNodes: 10,
          nodeAgentSkuId: 'batch.node.ubuntu 22.04',
        },
      ],
    },
  ],
};

let world: TestWorld;
let compute: ReturnType<typeof computeClient>;
const fast = { updateIntervalInMs: 50 };

/** Someone outside the factory publishes a version (no owner tag), from the build VM's OS disk. */
function publishElsewhere(version: string) {
  return compute.galleryImageVersions.beginCreateOrUpdate(
    'rg-hpc-images',
    'galHpcImages',
    DEFINITION,
    version,
    {
      location: 'westeurope',
      publishingProfile: { targetRegions: [{ name: 'westeurope', regionalReplicaCount: 1 }] },
      storageProfile: {
        // A disk is a per-disk source (osDiskImage), never storageProfile.source (Azure refuses that).
        osDiskImage: {
          source: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk` },
        },
      },
    },
    fast,
  );
}

async function rollouts(): Promise<string[]> {
  const instances = (await world.getJson('/runtime/webhooks/durabletask/instances')).body as {
    name: string;
    instanceId: string;
  }[];
  return instances.filter((i) => i.name === 'rolloutVersion').map((i) => i.instanceId);
}

beforeAll(async () => {
  world = await startTestWorld({
    settings: { BIF_FACTORY_CONFIG: JSON.stringify(factory), BIF_REFRESH_SCHEDULE: '0 0 0 1 1 *' },
  });
  compute = computeClient(
    { armEndpoint: world.simulator.armUrl, ca: world.simulator.caCert },
    new SimulatorCredential('someone-else'),
    SUB,
  );
  // Before the factory runs: the definition with two versions published by hand, 1.0.0 still used by a pool.
  await compute.galleries.beginCreateOrUpdateAndWait(
    'rg-hpc-images',
    'galHpcImages',
    { location: 'westeurope' },
    fast,
  );
  await compute.galleryImages.beginCreateOrUpdateAndWait(
    'rg-hpc-images',
    'galHpcImages',
    DEFINITION,
    {
      location: 'westeurope',
      osType: 'Linux',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      identifier: { publisher: 'contoso', offer: 'render', sku: '2204' },
    },
    fast,
  );
  for (const v of ['1.0.0', '1.1.0']) await (await publishElsewhere(v)).pollUntilDone();
  await adaptersFor(world.simulator, 3).batch.createPool(ACCOUNT_WEU, {
    poolId: 'legacy-1-0-0',
    vmSize: 'Standard_D4s_v5',
    imageVersionId: versionId('1.0.0'),
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: 1,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
  });

  const origin = await world.startHost();
  // The deployed subscription (infra/modules/eventgrid.bicep) filters to version writes; this one lets
  // deletes through too, and delivers everything twice (Event Grid is at least once).
  const subscription = galleryEventsSubscription(origin, world.keys().systemKeys.eventgrid_extension);
  const answer = await rawRequest(world.simulator, 'POST', '/_sim/eventSubscriptions', {
    ...subscription,
    includedEventTypes: [RESOURCE_WRITE_SUCCESS, RESOURCE_DELETE_SUCCESS],
    advancedFilters: [
      {
        operatorType: 'StringBeginsWith',
        key: 'data.operationName',
        values: ['Microsoft.Compute/galleries/images/versions/'],
      },
    ],
    copies: 2,
  });
  expect(answer.status).toBe(201); // the host answered the validation handshake
});
afterAll(() => world?.stop());

describe('gallery events delivered by the simulated Event Grid', () => {
  it("starts no rollout for the pipeline's own version, nor for retention's PATCH and DELETE of older versions", async () => {
    const input = exampleInput() as Record<string, any>;
    input.requestId = 'events-2-0-0';
    input.image.version = '2.0.0';
    input.pools[0].poolId = 'render-2-0-0';
    delete input.pools[0].replaces;
    input.retention = { keepVersions: 1 };
    await world.enqueue(JSON.stringify(input));
    const status = await world.waitForStatus(pipelineInstanceId('events-2-0-0'), undefined, 120_000);
    expect(status.runtimeStatus).toBe('Completed');
    await world.simulator.eventGrid.delivery.idle();

    expect(await rollouts()).toEqual([]);
    const delivered = world.simulator.eventGrid.delivery.attempts.filter((a) => a.outcome === 'delivered');
    const seen = (subject: string, type: string, method?: string) =>
      delivered.filter((a) => a.subject === subject && a.eventType === type && a.httpMethod === method);
    // Retention retired 1.0.0 (still used by legacy-1-0-0) with a PATCH and deleted 1.1.0; each event came twice.
    expect(seen(versionId('1.0.0'), RESOURCE_WRITE_SUCCESS, 'PATCH')).toHaveLength(2);
    expect(seen(versionId('1.1.0'), RESOURCE_DELETE_SUCCESS, 'DELETE')).toHaveLength(2);
    expect(seen(versionId('2.0.0'), RESOURCE_WRITE_SUCCESS)).toHaveLength(2);

    const logs = world.host!.logs.join('');
    expect(logs).toMatch(/galleryEvents: ignored — .*1\.0\.0.* (update|PATCH)/);
  });

  it('rolls the followers onto a version published elsewhere, once, though Event Grid delivered it twice', async () => {
    await publishElsewhere('3.0.0');
    const rollout = await world.waitForStatus(rolloutInstanceId(versionId('3.0.0')), undefined, 120_000);
    expect(rollout.runtimeStatus).toBe('Completed');
    expect(rollout.output.poolsReady).toEqual(['follow-3-0-0']);
    await world.simulator.eventGrid.delivery.idle();
    expect(await rollouts()).toEqual([rolloutInstanceId(versionId('3.0.0'))]);
  });

  it("holds a shared lease in the definition's ledger while it rolls out, and gives it back", async () => {
    const rolloutId = rolloutInstanceId(versionId('4.0.0'));
    const ledgerPath = `/runtime/webhooks/durabletask/instances/${ledgerInstanceId(`${GALLERY_ID}/images/${DEFINITION}`)}`;
    await publishElsewhere('4.0.0');
    const seen = new Set<string>();
    for (let i = 0; i < 1200; i++) {
      const ledger = (await world.getJson(ledgerPath)).body;
      for (const l of ledger?.customStatus?.leases ?? []) if (l.shared) seen.add(l.holder);
      const rollout = (await world.getJson(`/runtime/webhooks/durabletask/instances/${rolloutId}`)).body;
      if (['Completed', 'Failed'].includes(rollout?.runtimeStatus)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await world.waitForStatus(rolloutId, undefined, 120_000)).runtimeStatus).toBe('Completed');
    expect([...seen]).toContain(rolloutId);
    // The one-way release is raised before the rollout completes; the ledger takes it in turn.
    let holders: string[] = [rolloutId];
    for (let i = 0; i < 100 && holders.includes(rolloutId); i++) {
      await new Promise((r) => setTimeout(r, 100));
      holders = ((await world.getJson(ledgerPath)).body.customStatus.leases as { holder: string }[]).map(
        (l) => l.holder,
      );
    }
    expect(holders).not.toContain(rolloutId);
  });
});
