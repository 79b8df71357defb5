import { createdPools, type TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId, rolloutInstanceId } from '../../src/domain/pipeline';
import { computeClient } from '../../src/azure/clients';
import { SimulatorCredential } from '../../src/azure/credentials';
import { smallRequest } from './requests';

const GALLERY =
  '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-hpc-images/providers/Microsoft.Compute/galleries/galHpcImages';
const factory = {
  images: [
    {
      image: {
        galleryId: GALLERY,
        definition: 'dup-followed',
        osType: 'Linux',
        identifier: { publisher: 'contoso', offer: 'dup', sku: '1' },
      },
      followers: [
        {
          account: {
            id: '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-batch-weu/providers/Microsoft.Batch/batchAccounts/batchrenderweu',
            endpoint: 'https://batchrenderweu.westeurope.batch.azure.com',
            region: 'westeurope',
          },
          poolIdTemplate: 'dup-{version}',
          vmSize: 'Standard_D4s_v5',
          targetDedicatedNodes: 10,
          nodeAgentSkuId: 'batch.node.ubuntu 22.04',
        },
      ],
    },
  ],
};

let world: TestWorld;
useFileWorld({ speed: 600, settings: { BIF_FACTORY_CONFIG: JSON.stringify(factory) } }, (w) => (world = w));

/** Version 1.0.0 of the followed definition, made through the real SDK as an operator would. */
async function publishFollowedVersion(): Promise<string> {
  const compute = computeClient(
    { armEndpoint: world.simulator.armUrl, ca: world.simulator.caCert },
    new SimulatorCredential(),
    '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
  );
  await compute.galleryImages.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', 'dup-followed', {
    location: 'westeurope',
    osType: 'Linux',
    osState: 'Generalized',
    hyperVGeneration: 'V2',
    identifier: { publisher: 'contoso', offer: 'dup', sku: '1' },
  });
  await new Promise((r) => setTimeout(r, 300));
  await compute.galleryImageVersions.beginCreateOrUpdate(
    'rg-hpc-images',
    'galHpcImages',
    'dup-followed',
    '1.0.0',
    {
      location: 'westeurope',
      publishingProfile: { targetRegions: [{ name: 'westeurope', regionalReplicaCount: 1 }] },
      // A managed disk is a per-disk source (osDiskImage), not a storageProfile.source.id (GalleryRP).
      storageProfile: {
        osDiskImage: {
          source: {
            id: '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-render-build/providers/Microsoft.Compute/disks/vm-render-build-osdisk',
          },
        },
      },
    },
  );
  return `${GALLERY}/images/dup-followed/versions/1.0.0`;
}

/** The write event of `versionId` as Event Grid delivers it, in its own schema and as a CloudEvent. */
function deliveries(versionId: string) {
  const data = {
    resourceUri: versionId,
    operationName: 'Microsoft.Compute/galleries/images/versions/write',
    status: 'Succeeded',
  };
  const eventGrid = [
    {
      id: 'eg-1',
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      subject: versionId,
      eventTime: new Date().toISOString(),
      data,
      dataVersion: '2',
      metadataVersion: '1',
    },
  ];
  const cloudEvent = {
    specversion: '1.0',
    id: 'ce-1',
    type: 'Microsoft.Resources.ResourceWriteSuccess',
    source: GALLERY,
    subject: versionId,
    data,
  };
  return { eventGrid, cloudEvent };
}

describe('duplicate triggers', () => {
  it('the same queue message three times, and over HTTP too → exactly one pipeline, one pool', async () => {
    const body = JSON.stringify(smallRequest(21));
    await Promise.all([world.enqueue(body), world.enqueue(body), world.enqueue(body)]);
    const http = await world.postJson('/api/builds', body);
    expect([202, 409]).toContain(http.status);
    const status = await world.waitForStatus(pipelineInstanceId('rel-21'), ['Completed', 'Failed'], 90_000);
    expect(status.runtimeStatus).toBe('Completed');
    const again = await world.postJson('/api/builds', body);
    expect(again).toMatchObject({ status: 409, body: { outcome: 'duplicate', instanceId: 'bif-rel-21' } });
    const pipelines = (
      (await world.getJson('/runtime/webhooks/durabletask/instances')).body as { name: string }[]
    ).filter((i) => i.name === 'imagePipeline');
    expect(pipelines).toHaveLength(1);
    expect(createdPools(world.simulator)).toHaveLength(1);
    expect(world.host!.logs.join('')).toMatch(/already owned by instance bif-rel-21/);
  });

  it('the same Event Grid delivery five times, some concurrently, in both schemas → exactly one rollout', async () => {
    const versionId = await publishFollowedVersion();
    const { eventGrid, cloudEvent } = deliveries(versionId);
    const post = (body: unknown) =>
      world.postJson('/runtime/webhooks/eventgrid?functionName=galleryEvents', body);
    await Promise.all([post(eventGrid), post(eventGrid), post(cloudEvent)]);
    await post(eventGrid);
    await post(cloudEvent);
    const status = await world.waitForStatus(rolloutInstanceId(versionId), ['Completed', 'Failed'], 90_000);
    expect(status.runtimeStatus).toBe('Completed');
    const rollouts = (
      (await world.getJson('/runtime/webhooks/durabletask/instances')).body as { name: string }[]
    ).filter((i) => i.name === 'rolloutVersion');
    expect(rollouts).toHaveLength(1);
    expect(createdPools(world.simulator)).toHaveLength(2); // rel-pool-21 above and dup-1-0-0 here
  });
});
