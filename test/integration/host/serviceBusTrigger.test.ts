import { ServiceBusClient } from '@azure/service-bus';
import { startBroker, type RunningBroker } from '../../../src/local/servicebus/broker';
import { ServiceBusListener, serviceBusOptionsFrom } from '../../../src/local/host/serviceBusListener';
import type { Registration } from '../../../src/local/host/functionsCore';

/**
 * The embedded host's Service Bus trigger against the local broker, sent to with the real
 * ServiceBusClient: what the function receives (body and trigger metadata as the Node worker passes
 * them), completion on success, abandon on a throw until the queue's maxDeliveryCount makes the broker
 * dead-letter the message — kept byte for byte — and what the host refuses rather than run differently.
 */
jest.setTimeout(60_000);
let broker: RunningBroker;
let client: ServiceBusClient;
beforeAll(async () => {
  broker = await startBroker({
    queues: [
      { name: 'intake', maxDeliveryCount: 3 },
      { name: 'failing', maxDeliveryCount: 3 },
      { name: 'manual', maxDeliveryCount: 3, lockDurationSeconds: 1 },
      { name: 'slow', maxDeliveryCount: 3, lockDurationSeconds: 1 },
    ],
  });
  process.env.BIF_TEST_SB = broker.connectionString;
  client = new ServiceBusClient(broker.connectionString);
});
afterAll(async () => {
  await client.close();
  await broker.stop();
});

const listeners: ServiceBusListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
});

interface Call {
  input: unknown;
  metadata: Record<string, unknown>;
}

function registration(
  queueName: string,
  handle: (call: Call) => unknown,
  trigger: Record<string, unknown> = {},
): Registration {
  return {
    name: `consume-${queueName}`,
    bindings: {},
    trigger: {
      type: 'serviceBusTrigger',
      direction: 'in',
      name: 'message',
      queueName,
      connection: 'BIF_TEST_SB',
      ...trigger,
    },
    handler: async (input: unknown, context: unknown) =>
      handle({ input, metadata: (context as { triggerMetadata: Record<string, unknown> }).triggerMetadata }),
  };
}

async function listen(reg: Registration): Promise<void> {
  const listener = new ServiceBusListener(
    reg,
    { durableClientData: {}, log: () => undefined },
    {
      ...serviceBusOptionsFrom({}),
      maxConcurrentCalls: 1,
    },
  );
  listeners.push(listener);
  await listener.start();
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Service Bus trigger in the embedded host', () => {
  it('passes a JSON body as an object and text as a string, with the trigger metadata, and completes', async () => {
    const calls: Call[] = [];
    await listen(registration('intake', (call) => calls.push(call)));
    const sender = client.createSender('intake');
    await sender.sendMessages({ body: { requestId: 'a' }, messageId: 'json-1' });
    await sender.sendMessages({ body: Buffer.from('not json', 'utf8'), messageId: 'text-1' });
    await sender.close();
    await until(() => calls.length === 2 && broker.count('intake') === 0);
    expect(calls.map((c) => c.input)).toEqual([{ requestId: 'a' }, 'not json']);
    expect(calls[0]!.metadata).toMatchObject({ messageId: 'json-1', deliveryCount: 1 });
    expect(typeof calls[0]!.metadata.enqueuedTimeUtc).toBe('string');
    expect(broker.count('intake/$DeadLetterQueue')).toBe(0);
  });

  it('abandons on a throw, and the broker dead-letters the message as sent after maxDeliveryCount', async () => {
    const deliveries: unknown[] = [];
    await listen(
      registration('failing', (call) => {
        deliveries.push(call.metadata.deliveryCount);
        throw new Error('cannot handle it');
      }),
    );
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]); // "{", two bytes that are not UTF-8, "}"
    await client.createSender('failing').sendMessages({ body: bytes, messageId: 'bad-1' });
    await until(() => broker.count('failing/$DeadLetterQueue') === 1);
    expect(deliveries).toEqual([1, 2, 3]);
    expect(broker.count('failing')).toBe(0);
    const dlq = client.createReceiver('failing', { subQueueType: 'deadLetter', skipParsingBodyAsJson: true });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead!.messageId).toBe('bad-1');
    expect(dead!.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(Buffer.from(dead!.body as Buffer)).toEqual(bytes);
    await dlq.completeMessage(dead!);
    await dlq.close();
  });

  it('leaves the message to its lock when the trigger says autoCompleteMessages: false', async () => {
    const calls: Call[] = [];
    await listen(registration('manual', (call) => calls.push(call), { autoCompleteMessages: false }));
    await client.createSender('manual').sendMessages({ body: { n: 1 }, messageId: 'manual-1' });
    // Nothing settles it: the lock (1 s) expires and Service Bus delivers it again.
    await until(() => calls.length >= 2);
    expect(calls[1]!.metadata.deliveryCount).toBe(2);
  });

  it('renews the lock while the function runs longer than the lock duration', async () => {
    const calls: Call[] = [];
    await listen(
      registration('slow', async (call) => {
        calls.push(call);
        await new Promise((r) => setTimeout(r, 2500)); // 2.5 lock periods
      }),
    );
    await client.createSender('slow').sendMessages({ body: { n: 1 }, messageId: 'slow-1' });
    await until(() => calls.length === 1 && broker.count('slow') === 0);
    expect(calls).toHaveLength(1);
  });
});

describe('Service Bus trigger: what Azure does not allow', () => {
  it('refuses what it cannot do as Azure does, naming the fix', () => {
    for (const trigger of [{ sdkBinding: true }, { isSessionsEnabled: true }, { cardinality: 'many' }]) {
      expect(
        () =>
          new ServiceBusListener(
            registration('intake', () => undefined, trigger),
            {
              durableClientData: {},
              log: () => undefined,
            },
            serviceBusOptionsFrom({}),
          ),
      ).toThrow(/Service Bus trigger consume-intake: .* not supported by the embedded host; remove it/);
    }
  });

  it('does not let a client send to a dead-letter queue (only the dead-letter operation puts messages there)', async () => {
    const sender = client.createSender('intake/$DeadLetterQueue');
    await expect(sender.sendMessages({ body: 'x' })).rejects.toThrow(/could not be found|No entity/);
    await sender.close();
  });
});
