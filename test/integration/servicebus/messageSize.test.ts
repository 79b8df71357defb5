import { ServiceBusClient } from '@azure/service-bus';
import { startBroker, type RunningBroker } from '../../../src/local/servicebus/broker';

/**
 * Service Bus Standard takes messages up to 256 KB: a bigger one is refused at the send (the sender sees
 * the error, nothing is enqueued), whether the SDK sends it alone or the broker is the first to see it.
 */
let broker: RunningBroker;
let client: ServiceBusClient;
beforeAll(async () => {
  broker = await startBroker({ queues: [{ name: 'sized' }] });
  client = new ServiceBusClient(broker.connectionString);
});
afterAll(async () => {
  await client.close();
  await broker.stop();
});

describe('local broker message size', () => {
  it('refuses a single message over 256 KB with message-size-exceeded, and keeps one just under', async () => {
    const sender = client.createSender('sized');
    await expect(sender.sendMessages({ body: Buffer.alloc(300 * 1024, 65) })).rejects.toMatchObject({
      code: 'MessageSizeExceeded',
    });
    expect(broker.count('sized')).toBe(0);
    await sender.sendMessages({ body: Buffer.alloc(200 * 1024, 65) });
    expect(broker.count('sized')).toBe(1);
    await sender.close();
  });
});
