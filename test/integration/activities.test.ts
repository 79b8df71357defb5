import { ServiceBusClient } from '@azure/service-bus';
import { startSimulator, type RunningSimulator } from '../../src/local/simulator/simulator';
import { startBroker, type RunningBroker } from '../../src/local/servicebus/broker';
import { DEFAULT_BROKER_CONFIG } from '../../src/local/servicebus/defaultConfig';
import { ServiceBusEventPublisher } from '../../src/azure/serviceBusPublisher';
import { preflight } from '../../src/activities/preflight';
import {
  beginSnapshot,
  getProvisioning,
  createImageVersion,
  ensureGallery,
  ensureImageDefinition,
  getReplication,
  deleteIntermediates,
} from '../../src/activities/provisioning';
import { createPool, getPool, drainPool } from '../../src/activities/pools';
import { publishEvents } from '../../src/activities/events';
import { applyRetention } from '../../src/activities/retention';
import { EVENT_TYPES } from '../../src/domain/events';
import { buildRequestSchema } from '../../src/domain/buildRequest';
import type { Services } from '../../src/activities/services';
import { adaptersFor, MINUTE, testScenario } from '../helpers/simulator';
import { exampleInput } from '../helpers/requests';

/** The activities with the production adapters, over the wire: simulator over HTTPS, broker over AMQP. */
let sim: RunningSimulator;
let broker: RunningBroker;
let client: ServiceBusClient;
let services: Services;
beforeAll(async () => {
  sim = await startSimulator({ speed: 1, scenario: testScenario() });
  broker = await startBroker(DEFAULT_BROKER_CONFIG);
  client = new ServiceBusClient(broker.connectionString);
  services = {
    ...adaptersFor(sim, 1),
    events: new ServiceBusEventPublisher(client, 'bif-events'),
    clock: { now: () => sim.clock.now() },
  };
});
afterAll(async () => {
  await client.close();
  await broker.stop();
  await sim.stop();
});

const request = buildRequestSchema.parse(exampleInput());

describe('activities over the wire', () => {
  it('runs a build step by step, as the orchestrator would', async () => {
    const plan = await preflight(services, { request, instanceId: 'bif-wire' });
    // Valid, with the warning the account's supported-images list gives for Ubuntu 22.04.
    expect(plan.ok).toBe(true);
    expect(plan.findings.map((f) => [f.code, f.severity])).toEqual([
      ['NODE_AGENT_SKU_END_OF_LIFE', 'warning'],
    ]);
    expect(plan.disks.map((d) => d.role)).toEqual(['os', 'data']);

    for (const d of plan.disks)
      await beginSnapshot(services, {
        snapshotId: d.snapshotId,
        location: plan.sourceLocation,
        diskId: d.diskId,
        tags: { 'bif-instance': 'bif-wire' },
      });
    sim.clock.advance(10 * MINUTE);
    for (const d of plan.disks)
      expect((await getProvisioning(services, { id: d.snapshotId })).state).toBe('Succeeded');

    await ensureGallery(services, { galleryId: request.image.galleryId, location: plan.galleryLocation });
    sim.clock.advance(MINUTE);
    await ensureImageDefinition(services, {
      id: plan.definitionId,
      location: plan.galleryLocation,
      osType: 'Linux',
      hyperVGeneration: 'V2',
      identifier: request.image.identifier,
    });
    sim.clock.advance(MINUTE);
    const os = plan.disks[0]!;
    await createImageVersion(services, {
      versionId: plan.versionId,
      location: plan.galleryLocation,
      source: { osSnapshotId: os.snapshotId, dataDisks: [{ lun: 0, snapshotId: plan.disks[1]!.snapshotId }] },
      targetRegions: plan.targetRegions,
      excludeFromLatest: false,
      tags: { 'bif-instance': 'bif-wire' },
    });
    sim.clock.advance(6 * 60 * MINUTE);
    const replication = await getReplication(services, { versionId: plan.versionId });
    expect(replication.regions).toEqual([{ region: 'westeurope', state: 'Completed', progress: 100 }]);
    expect(replication.tags['bif-instance']).toBe('bif-wire');

    const pool = plan.pools[0]!;
    expect(await createPool(services, { account: pool.account, spec: pool.spec })).toBe('created');
    sim.clock.advance(10 * MINUTE);
    expect(await getPool(services, { account: pool.account, poolId: pool.poolId })).toMatchObject({
      allocationState: 'steady',
      currentDedicatedNodes: 20,
    });
    expect(await drainPool(services, { account: pool.account, poolId: 'render-1-3-0' })).toBe('missing');

    const retention = await applyRetention(services, {
      definitionId: plan.definitionId,
      keepVersions: 1,
      accounts: [pool.account],
    });
    expect(retention).toEqual([{ kind: 'keep', versionId: plan.versionId, reason: 'newest' }]);
    await deleteIntermediates(services, { ids: plan.disks.map((d) => d.snapshotId) });
    sim.clock.advance(5 * MINUTE);
    expect((await getProvisioning(services, { id: os.snapshotId })).state).toBe('NotFound');
  });

  it('publishes events through the broker with stable ids', async () => {
    const event = {
      type: EVENT_TYPES.poolRetired,
      subject: 'pools/render-1-3-0',
      data: {
        requestId: 'r',
        instanceId: 'bif-wire',
        accountId: 'a',
        poolId: 'render-1-3-0',
        replacedBy: 'render-1-4-0',
      },
    };
    const first = await publishEvents(services, { instanceId: 'bif-wire', requestId: 'r', events: [event] });
    const second = await publishEvents(services, { instanceId: 'bif-wire', requestId: 'r', events: [event] });
    expect(second.ids).toEqual(first.ids);
    const receiver = client.createReceiver('bif-events', 'all', { receiveMode: 'receiveAndDelete' });
    const received = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    await receiver.close();
    expect(received.map((m) => m.messageId)).toEqual(first.ids);
  });
});
