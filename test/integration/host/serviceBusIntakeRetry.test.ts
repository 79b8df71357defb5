import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ServiceBusClient } from '@azure/service-bus';
import { startBroker, type RunningBroker } from '../../../src/local/servicebus/broker';
import { ServiceBusListener, serviceBusOptionsFrom } from '../../../src/local/host/serviceBusListener';
import type { Registration } from '../../../src/local/host/functionsCore';
import { BUILD_QUEUE_MAX_DELIVERY_COUNT } from '../../../src/local/servicebus/defaultConfig';
import { LOAD_SETTINGS } from '../../helpers/appLoad';
import { exampleInput } from '../../helpers/requests';
import type { CloudEvent } from '../../../src/domain/events';
import { serviceBusIntakeHandler } from '../../../src/functions/buildServiceBus';
import { overrideServices } from '../../../src/compositionRoot';
import { durableClientData } from '../../../src/local/host/durableHttpApi';
import { loadOrCreateKeys } from '../../../src/local/host/keys';

/**
 * The app's Service Bus intake handler in the embedded host's Service Bus trigger, against the local
 * broker (the queue as infra/ makes it), with the real durable-functions client speaking HTTP to a
 * Durable endpoint that fails with 503 as often as a test says. An abandoned message is delivered again
 * at once and Service Bus triggers get no retry policy, so only the handler's own waits keep a blip
 * from dead-lettering a valid request.
 */
jest.setTimeout(60_000);
// The app reads its settings on first use (the first invocation), not at import.
Object.assign(process.env, LOAD_SETTINGS);
const keysPath = join(mkdtempSync(join(tmpdir(), 'bif-sb-retry-')), 'host-keys.json');
const published: CloudEvent[] = [];
overrideServices({ events: { publish: async (events) => void published.push(...events) } });

/** The Durable extension's RPC endpoint, as far as the intake uses it: status (404: none) and start. */
let durable: Server;
let failStarts = 0;
const starts: number[] = [];
beforeAll(async () => {
  durable = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"not found"}');
      return;
    }
    req.resume().on('end', () => {
      starts.push(Date.now());
      if (starts.length <= failStarts) {
        res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"message":"busy"}');
        return;
      }
      const id = decodeURIComponent(req.url!.split('/').pop()!);
      res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((r) => durable.listen(0, '127.0.0.1', r));
});

let broker: RunningBroker;
let client: ServiceBusClient;
beforeAll(async () => {
  broker = await startBroker({
    queues: [
      { name: 'blip', maxDeliveryCount: BUILD_QUEUE_MAX_DELIVERY_COUNT },
      { name: 'outage', maxDeliveryCount: BUILD_QUEUE_MAX_DELIVERY_COUNT },
    ],
  });
  process.env.BIF_TEST_SB_RETRY = broker.connectionString;
  client = new ServiceBusClient(broker.connectionString);
});

let listener: ServiceBusListener | undefined;
afterEach(async () => {
  await listener?.stop();
  starts.length = 0;
});
afterAll(async () => {
  await client.close();
  await broker.stop();
  await new Promise((r) => durable.close(r));
});

async function listen(queueName: string, deliveries: unknown[]): Promise<void> {
  const handler = serviceBusIntakeHandler({ delaysMs: [50, 50] });
  const registration: Registration = {
    name: `intake-${queueName}`,
    bindings: { client: { type: 'durableClient', direction: 'in' } },
    trigger: {
      type: 'serviceBusTrigger',
      direction: 'in',
      name: 'message',
      queueName,
      connection: 'BIF_TEST_SB_RETRY',
    },
    handler: async (input, context) => {
      deliveries.push(
        (context as { triggerMetadata: { deliveryCount: unknown } }).triggerMetadata.deliveryCount,
      );
      return handler(input, context as never);
    },
  };
  const { port } = durable.address() as AddressInfo;
  listener = new ServiceBusListener(
    registration,
    {
      durableClientData: durableClientData(`http://127.0.0.1:${port}`, 'hub', loadOrCreateKeys(keysPath)),
      log: () => undefined,
    },
    { ...serviceBusOptionsFrom({}), maxConcurrentCalls: 1 },
  );
  await listener.start();
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Service Bus intake: a transient failure is not a bad request', () => {
  it('rides out a Durable start that answers 503 twice within the first delivery', async () => {
    failStarts = 2;
    const deliveries: unknown[] = [];
    await listen('blip', deliveries);
    await client.createSender('blip').sendMessages({ body: { ...exampleInput(), requestId: 'sb-blip' } });
    await until(() => starts.length === 3 && broker.count('blip') === 0);
    expect(deliveries).toEqual([1]);
    expect(broker.count('blip/$DeadLetterQueue')).toBe(0);
    expect(published).toEqual([]); // a valid request: no Pipeline.Failed
  });

  it('starts the build, not dead-letters it, when Durable answers 503 as many times as maxDeliveryCount', async () => {
    failStarts = BUILD_QUEUE_MAX_DELIVERY_COUNT;
    const deliveries: unknown[] = [];
    await listen('outage', deliveries);
    await client.createSender('outage').sendMessages({ body: { ...exampleInput(), requestId: 'sb-outage' } });
    await until(() => starts.length === BUILD_QUEUE_MAX_DELIVERY_COUNT + 1 && broker.count('outage') === 0);
    expect(broker.count('outage/$DeadLetterQueue')).toBe(0);
    expect(deliveries.length).toBeLessThan(BUILD_QUEUE_MAX_DELIVERY_COUNT);
    expect(published).toEqual([]);
  });
});
