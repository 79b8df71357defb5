import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { startBroker, type RunningBroker } from '../../../src/local/servicebus/broker';

/**
 * Service Bus keeps what it acknowledged until it is settled, and its duplicate-detection history,
 * whatever happens to the service. The local broker with a state file does the same across a restart.
 */
const config = { topics: [{ name: 'bif-events', subscriptions: ['all'], duplicateDetection: true }] };
let dir: string;
const open: { broker: RunningBroker; client: ServiceBusClient }[] = [];

async function start(): Promise<ServiceBusClient> {
  const broker = await startBroker(config, { statePath: join(dir, 'servicebus.json') });
  const client = new ServiceBusClient(broker.connectionString);
  open.push({ broker, client });
  return client;
}

beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'bif-sb-'))));
afterAll(async () => {
  for (const { broker, client } of open) {
    await client.close();
    await broker.stop();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('local Service Bus broker across a restart', () => {
  it('keeps undelivered and unsettled messages, and still drops a re-sent duplicate', async () => {
    const before = await start();
    const sender = before.createSender('bif-events');
    await sender.sendMessages([
      { body: { n: 1 }, messageId: 'e1' },
      { body: { n: 2 }, messageId: 'e2' },
      { body: { n: 3 }, messageId: 'e3' },
    ]);
    const receiver = before.createReceiver('bif-events', 'all');
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.completeMessage(first!); // settled: gone for good
    await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 }); // locked, never settled
    // The first broker is abandoned as a crash would leave it; a new one starts from the same file.

    const after = await start();
    await after.createSender('bif-events').sendMessages({ body: { n: 3 }, messageId: 'e3' });
    const again = after.createReceiver('bif-events', 'all', { receiveMode: 'receiveAndDelete' });
    const bodies: number[] = [];
    for (;;) {
      const batch = await again.receiveMessages(10, { maxWaitTimeInMs: 1000 });
      if (batch.length === 0) break;
      bodies.push(...batch.map((m) => (m.body as { n: number }).n));
    }
    expect(bodies.sort()).toEqual([2, 3]);
  });
});
