import { ServiceBusClient } from '@azure/service-bus';
import { startBroker, type RunningBroker } from '../../../src/local/servicebus/broker';
import { DEFAULT_BROKER_CONFIG } from '../../../src/local/servicebus/defaultConfig';
import { ServiceBusEventPublisher } from '../../../src/azure/serviceBusPublisher';
import { EVENT_TYPES, makeEvent } from '../../../src/domain/events';
import { PermanentError } from '../../../src/domain/errors';

let broker: RunningBroker;
let client: ServiceBusClient;
beforeAll(async () => {
  broker = await startBroker(DEFAULT_BROKER_CONFIG);
  client = new ServiceBusClient(broker.connectionString);
});
afterAll(async () => {
  await client.close();
  await broker.stop();
});

const versionId =
  '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/ubuntu2204-render/versions/1.4.0';
const replicated = makeEvent(EVENT_TYPES.regionReplicated, {
  instanceId: 'bif-render-1',
  subject: `${versionId}/regions/westeurope`,
  time: '2026-11-28T10:00:00.000Z',
  data: {
    requestId: 'render-1',
    instanceId: 'bif-render-1',
    imageVersionId: versionId,
    region: 'westeurope',
    replicaCount: 12,
    attempts: 1,
    replicatedAt: '2026-11-28T10:00:00.000Z',
  },
});
const ready = makeEvent(EVENT_TYPES.poolReady, {
  instanceId: 'bif-render-1',
  subject: 'pools/render-1-4-0',
  time: '2026-11-28T10:20:00.000Z',
  data: {
    requestId: 'render-1',
    instanceId: 'bif-render-1',
    accountId: 'a',
    poolId: 'render-1-4-0',
    region: 'westeurope',
    imageVersionId: versionId,
    currentDedicatedNodes: 3000,
    currentLowPriorityNodes: 0,
  },
});

describe('ServiceBusEventPublisher with the real client and the local broker', () => {
  it('publishes CloudEvents in structured mode with ids, correlation and filter properties; re-sends collapse', async () => {
    const publisher = new ServiceBusEventPublisher(client, 'bif-events');
    await publisher.publish([replicated, ready], { requestId: 'render-1' });
    await publisher.publish([replicated], { requestId: 'render-1' }); // an activity that ran twice
    await publisher.close();

    const receiver = client.createReceiver('bif-events', 'all');
    const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    await Promise.all(messages.map((m) => receiver.completeMessage(m)));
    await receiver.close();
    expect(messages.map((m) => m.messageId)).toEqual([replicated.id, ready.id]);
    const [first, second] = messages;
    expect(first).toMatchObject({
      contentType: 'application/cloudevents+json; charset=utf-8',
      correlationId: 'render-1',
      subject: 'BatchImageFactory.Region.Replicated',
      applicationProperties: {
        type: 'BatchImageFactory.Region.Replicated',
        imageDefinition: 'ubuntu2204-render',
        version: '1.4.0',
        region: 'westeurope',
      },
    });
    // On the wire the body is an AMQP data section (any language reads bytes); the JS SDK parses the JSON back.
    const wire = broker.peekAll('bif-events/Subscriptions/cli')[0]!.message.body as {
      typecode: number;
      content: Buffer;
    };
    expect(wire.typecode).toBe(0x75);
    expect(JSON.parse(Buffer.from(wire.content).toString('utf8'))).toEqual(replicated);
    expect(first!.body).toEqual(replicated);
    expect(second!.applicationProperties).toMatchObject({ poolId: 'render-1-4-0', region: 'westeurope' });
  });

  it('reports a missing topic as a permanent error that says what to check', async () => {
    const publisher = new ServiceBusEventPublisher(client, 'no-such-topic');
    const error = await publisher.publish([ready], { requestId: 'render-1' }).catch((e: unknown) => e);
    await publisher.close().catch(() => undefined);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/Azure Service Bus Data Sender/);
  });
});
