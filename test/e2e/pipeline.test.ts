import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createdPools, startTestWorld, type TestWorld } from '../helpers/world';
import { ROOT, VECTORS, exampleInput } from '../helpers/requests';
import { pipelineInstanceId, rolloutInstanceId } from '../../src/domain/pipeline';
import { computeClient } from '../../src/azure/clients';
import { SimulatorCredential } from '../../src/azure/credentials';
import { GALLERY_ID, RG, SUB } from '../helpers/simulator';
import { refreshRequestId } from '../../src/triggers/refresh';

jest.setTimeout(120_000);

/**
 * End to end over the real pieces: the compiled app in the embedded host (its own process), the
 * simulator, Azurite, the local broker, and a real ServiceBusReceiver reading the events.
 */
const FOLLOWED = 'ubuntu2204-followed';
const factory = {
  images: [
    {
      image: {
        galleryId: GALLERY_ID,
        definition: FOLLOWED,
        osType: 'Linux',
        identifier: { publisher: 'contoso', offer: 'followed', sku: '1' },
      },
      followers: [
        {
          account: {
            id: `${RG('rg-batch-weu')}/providers/Microsoft.Batch/batchAccounts/batchrenderweu`,
            endpoint: 'https://batchrenderweu.westeurope.batch.azure.com',
            region: 'westeurope',
          },
          poolIdTemplate: 'follow-{version}',
          vmSize: 'Standard_D4s_v5',
          targetDedicatedNodes: 50,
          nodeAgentSkuId: 'batch.node.ubuntu 22.04',
        },
      ],
      retention: { keepVersions: 2 },
    },
  ],
};

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({
    settings: { BIF_FACTORY_CONFIG: JSON.stringify(factory), BIF_REFRESH_SCHEDULE: '0 0 0 1 1 *' },
  });
  await world.startHost();
});
afterAll(() => world?.stop());

describe('end to end', () => {
  it('turns a queue message into a completed pipeline, with every milestone on Service Bus', async () => {
    const request = readFileSync(join(ROOT, 'examples', 'three-regions-3000-nodes.json'), 'utf8');
    await world.enqueue(request);
    const instanceId = pipelineInstanceId('render-global-2026-11-28');
    const status = await world.waitForStatus(instanceId);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({
      regionsFailed: [],
      poolsFailed: [],
      poolsReady: ['render-weu-next', 'render-eus-next', 'render-sea-next'],
    });

    const events = await world.receiveEvents(100, 1500);
    const types = events.map((m) => (m.body as { type: string }).type.replace('BatchImageFactory.', ''));
    expect(types[0]).toBe('Pipeline.Accepted');
    expect(types[1]).toBe('Image.Published');
    expect(types.at(-1)).toBe('Pipeline.Completed');
    expect(types.filter((t) => t === 'Region.Replicated')).toHaveLength(4);
    expect(types.filter((t) => t === 'Pool.Ready')).toHaveLength(3);
    // Per region, the replica arrives before that region's pools are ready.
    for (const region of ['westeurope', 'eastus', 'southeastasia']) {
      const replicated = events.findIndex(
        (m) => (m.body as any).type.endsWith('Region.Replicated') && (m.body as any).data.region === region,
      );
      const ready = events.findIndex(
        (m) => (m.body as any).type.endsWith('Pool.Ready') && (m.body as any).data.region === region,
      );
      expect(replicated).toBeLessThan(ready);
    }
    expect(
      events.every(
        (m) =>
          m.correlationId === 'render-global-2026-11-28' && m.messageId === (m.body as { id: string }).id,
      ),
    ).toBe(true);

    // The status API shows the plan and each region's progress.
    const view = await world.getJson(`/api/builds/render-global-2026-11-28`);
    expect(view.body.pipeline.stage).toBe('completed');
    expect(
      view.body.regions.map((r: { region: string; stage: string }) => [r.region, r.stage]).sort(),
    ).toEqual([
      ['eastus', 'done'],
      ['northeurope', 'done'],
      ['southeastasia', 'done'],
      ['westeurope', 'done'],
    ]);
    expect(createdPools(world.simulator)).toHaveLength(3);
  });

  it('serves the bif status and submit commands against the running host', async () => {
    const bif = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/cli/bif.js'), ...args, '--host', world.host!.origin], {
        encoding: 'utf8',
        env: { ...process.env, BIF_FUNCTION_KEY: world.keys().functionKeys.default },
      });
    const status = bif('status', 'render-global-2026-11-28');
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/render-global-2026-11-28\s+version 1\.0\.0\s+Completed/);
    expect(status.stdout).toMatch(/westeurope\s+\[#+\] 100%\s+12 replicas\s+Completed/);
    expect(status.stdout).toMatch(/pool render-weu-next\s+\[#+\] 3000\/3000 nodes/);
    const again = bif('submit', join(ROOT, 'examples', 'three-regions-3000-nodes.json'));
    // Already submitted: nothing started, its own exit code (README, Exit codes).
    expect(again.status).toBe(4);
    expect(again.stdout).toMatch(/Already submitted: bif-render-global-2026-11-28/);
    expect(bif('status', 'no-such-build').status).toBe(1);
  });

  it('keeps an invalid message in the poison queue and publishes Pipeline.Failed with every finding', async () => {
    const input = exampleInput() as Record<string, any>;
    input.requestId = 'bad-request-1';
    input.pools[0].targetDedicatedNodes = 40_000;
    input.pools[0].nodeAgentSkuId = 'batch.node.windows amd64';
    await world.enqueue(JSON.stringify(input));
    await world.enqueue('{"requestId": "not-json-at-all", ');
    for (let i = 0; i < 50 && (await world.queueLength('build-requests-poison')) < 2; i++)
      await new Promise((r) => setTimeout(r, 200));
    const poison = await world.queueMessages('build-requests-poison');
    expect(poison).toHaveLength(2);
    // Kept as sent, so it can be fixed and re-queued (the two messages may reach the poison queue in either order).
    const kept = poison.find((p) => p.includes('"bad-request-1"'));
    expect(JSON.parse(kept!).requestId).toBe('bad-request-1');
    const events = (await world.receiveEvents(10, 1500))
      .map((m) => m.body as any)
      .filter((e) => e.type.endsWith('Pipeline.Failed'));
    const bad = events.find((e) => e.data.requestId === 'bad-request-1');
    expect(bad.data.stage).toBe('validation');
    expect(bad.data.findings.map((f: { code: string }) => f.code)).toEqual(
      expect.arrayContaining(['REPLICA_LIMIT_EXCEEDED', 'NODE_AGENT_SKU_OS_MISMATCH']),
    );
    expect(events.some((e) => e.data.findings[0]?.code === 'REQUEST_NOT_JSON')).toBe(true);
  });

  it('answers the Event Grid validation handshake and rolls follower pools onto a version written elsewhere, once', async () => {
    const handshake = await world.postJson(
      '/runtime/webhooks/eventgrid?functionName=galleryEvents',
      [{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'abc-123' } }],
      { 'aeg-event-type': 'SubscriptionValidation' },
    );
    expect(handshake.body).toEqual({ validationResponse: 'abc-123' });

    // Someone publishes a version of the followed definition outside the pipeline.
    const compute = computeClient(
      { armEndpoint: world.simulator.armUrl, ca: world.simulator.caCert },
      new SimulatorCredential(),
      SUB,
    );
    await compute.galleryImages.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', FOLLOWED, {
      location: 'westeurope',
      osType: 'Linux',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      identifier: { publisher: 'contoso', offer: 'followed', sku: '1' },
    });
    await new Promise((r) => setTimeout(r, 200));
    const versionId = `${GALLERY_ID}/images/${FOLLOWED}/versions/3.0.0`;
    await compute.galleryImageVersions.beginCreateOrUpdate(
      'rg-hpc-images',
      'galHpcImages',
      FOLLOWED,
      '3.0.0',
      {
        location: 'westeurope',
        publishingProfile: { targetRegions: [{ name: 'westeurope', regionalReplicaCount: 1 }] },
        // A managed disk is a per-disk source (osDiskImage), not a storageProfile.source.id (GalleryRP).
        storageProfile: {
          osDiskImage: {
            source: {
              id: `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`,
            },
          },
        },
      },
    );

    const sample = JSON.parse(
      readFileSync(join(VECTORS, 'eventgrid/event-grid-schema/resource_write_success.json'), 'utf8'),
    );
    const event = {
      ...sample,
      subject: versionId,
      data: {
        ...sample.data,
        resourceUri: versionId,
        operationName: 'Microsoft.Compute/galleries/images/versions/write',
      },
    };
    expect(
      (
        await world.postJson('/runtime/webhooks/eventgrid?functionName=galleryEvents', [event], {
          'aeg-event-type': 'Notification',
        })
      ).status,
    ).toBe(202);
    // Delivered twice (Event Grid is at least once), and once more in CloudEvents schema.
    await world.postJson('/runtime/webhooks/eventgrid?functionName=galleryEvents', [event], {
      'aeg-event-type': 'Notification',
    });
    await world.postJson('/runtime/webhooks/eventgrid?functionName=galleryEvents', {
      specversion: '1.0',
      type: event.eventType,
      source: event.topic,
      id: 'ce-1',
      subject: versionId,
      data: event.data,
    });

    const rollout = await world.waitForStatus(rolloutInstanceId(versionId));
    expect(rollout.runtimeStatus).toBe('Completed');
    expect(rollout.output.poolsReady).toEqual(['follow-3-0-0']);
    const instances = (await world.getJson('/runtime/webhooks/durabletask/instances')).body as {
      name: string;
    }[];
    expect(instances.filter((i) => i.name === 'rolloutVersion')).toHaveLength(1);
  });

  it('ignores other events with a reason and does not roll out versions our own pipeline wrote', async () => {
    const own = `${GALLERY_ID}/images/ubuntu2204-render/versions/1.0.0`;
    const deleteEvent = {
      eventType: 'Microsoft.Resources.ResourceDeleteSuccess',
      subject: own,
      data: { resourceUri: own, operationName: 'Microsoft.Compute/galleries/images/versions/delete' },
    };
    const storage = {
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      subject: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z',
      data: { operationName: 'Microsoft.Storage/storageAccounts/write' },
    };
    const ownWrite = {
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      subject: own,
      data: { resourceUri: own, operationName: 'Microsoft.Compute/galleries/images/versions/write' },
    };
    const unwatched = {
      ...ownWrite,
      subject: own.replace('ubuntu2204-render', 'not-watched'),
      data: { ...ownWrite.data, resourceUri: own.replace('ubuntu2204-render', 'not-watched') },
    };
    // The factory watches ubuntu2204-followed only; watch the pipeline's definition too for this check.
    for (const e of [deleteEvent, storage, unwatched])
      expect(
        (await world.postJson('/runtime/webhooks/eventgrid?functionName=galleryEvents', [e])).status,
      ).toBe(202);
    const logs = world.host!.logs.join('');
    expect(logs).toMatch(/ignored — event type Microsoft.Resources.ResourceDeleteSuccess/);
    expect(logs).toMatch(
      /ignored — operation Microsoft.Storage\/storageAccounts\/write is not an image version write/,
    );
    expect(logs).toMatch(/ignored — image definition .*not-watched is not watched/);
    const instances = (await world.getJson('/runtime/webhooks/durabletask/instances')).body as {
      name: string;
    }[];
    expect(instances.filter((i) => i.name === 'rolloutVersion')).toHaveLength(1);
  });

  it('fires the refresh timer on the virtual clock and builds a due image', async () => {
    // The schedule above never fires within the test; a second host with an hourly schedule does.
    await world.killHost();
    world.env.BIF_REFRESH_SCHEDULE = '0 0 * * * *';
    world.env.BIF_FACTORY_CONFIG = JSON.stringify({
      images: [
        {
          ...factory.images[0],
          refresh: {
            every: 'PT1H',
            source: {
              type: 'virtualMachine',
              id: `${RG('rg-render-build')}/providers/Microsoft.Compute/virtualMachines/vm-render-build`,
            },
          },
        },
      ],
    });
    await world.startHost();
    const requestId = refreshRequestId(`${GALLERY_ID}/images/${FOLLOWED}`, FOLLOWED, '3.0.1');
    const status = await world.waitForStatus(pipelineInstanceId(requestId), ['Completed', 'Failed'], 90_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.poolsReady).toEqual(['follow-3-0-1']);
    // The new pool replaced the one the Event Grid rollout made.
    const retired = (await world.receiveEvents(100, 1500))
      .map((m) => m.body as any)
      .filter((e) => e.type.endsWith('Pool.Retired'));
    expect(retired.map((e) => e.data.poolId)).toContain('follow-3-0-0');
    // The timer's retention runs in the definition's ledger, in turn with the builds' leases.
    expect(world.host!.logs.join('')).toMatch(
      new RegExp(`Retention on \\S+/images/${FOLLOWED} handed to its ledger bif:ledger-${FOLLOWED}-`),
    );
  });
});
