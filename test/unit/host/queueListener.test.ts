import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../../src/local/azurite';
import { QueueListener } from '../../../src/local/host/queueListener';
import { sendToQueue } from '../../../src/local/host/invoke';
import type { MessageEncoding } from '../../../src/local/host/queueEncoding';
import type { Registration } from '../../../src/local/host/functionsCore';

/**
 * The storage queue trigger against Azurite, as the Functions storage extension behaves for the
 * host.json messageEncoding in force: base64 decodes, plain text never reaches the function and is
 * poisoned as sent; bytes that are not UTF-8 fail to bind and are poisoned as sent after
 * maxDequeueCount; none hands over the text as is.
 */
jest.setTimeout(60_000);
let azurite: RunningAzurite;
let service: QueueServiceClient;
beforeAll(async () => {
  azurite = await startAzurite();
  process.env.BIF_TEST_STORAGE = azurite.connectionString;
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

let counter = 0;
const listeners: QueueListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.stop()));
});

function listen(messageEncoding: MessageEncoding) {
  const name = `q-${messageEncoding}-${++counter}`;
  const received: { input: unknown; text: unknown }[] = [];
  const registration: Registration = {
    name: 'consumer',
    bindings: {},
    trigger: {
      type: 'queueTrigger',
      direction: 'in',
      name: 'm',
      queueName: name,
      connection: 'BIF_TEST_STORAGE',
    },
    handler: async (input: unknown, context: unknown) => {
      const text = (context as { triggerMetadata: { queueTrigger: unknown } }).triggerMetadata.queueTrigger;
      received.push({ input, text });
    },
  };
  const listener = new QueueListener(
    registration,
    { durableClientData: {}, log: () => undefined },
    { batchSize: 16, maxDequeueCount: 2, visibilityTimeoutSeconds: 1, pollMs: 50, messageEncoding },
  );
  listeners.push(listener);
  return {
    listener,
    received,
    queue: service.getQueueClient(name),
    poison: service.getQueueClient(`${name}-poison`),
  };
}

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** The stored texts, as sent (peek leaves them visible). */
const rawTexts = async (q: QueueClient) =>
  (await q.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText);
const count = async (q: QueueClient) => (await q.getProperties()).approximateMessagesCount ?? 0;

describe('messageEncoding base64 (the default)', () => {
  it('delivers the decoded text of a base64 message and deletes it', async () => {
    const { listener, received, queue } = listen('base64');
    await listener.start();
    await queue.sendMessage(Buffer.from('{"requestId":"a"}').toString('base64'));
    await until(async () => received.length === 1 && (await count(queue)) === 0);
    expect(received[0]).toEqual({ input: { requestId: 'a' }, text: '{"requestId":"a"}' });
  });

  it('never delivers a plain-text message: it goes to <queue>-poison at once, exactly as sent', async () => {
    const { listener, received, queue, poison } = listen('base64');
    await listener.start();
    const sent = '{"requestId": "plain text, not base64"}';
    await queue.sendMessage(sent);
    await until(async () => (await count(poison)) === 1);
    expect(await rawTexts(poison)).toEqual([sent]);
    expect(received).toHaveLength(0);
    expect(await count(queue)).toBe(0);
  });

  it('fails to bind bytes that are not UTF-8, and after maxDequeueCount poisons them as sent', async () => {
    const { listener, received, poison } = listen('base64');
    await listener.start();
    const sent = Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x7d]).toString('base64');
    await service.getQueueClient(listener.queueName).sendMessage(sent);
    await until(async () => (await count(poison)) === 1, 20_000);
    expect(await rawTexts(poison)).toEqual([sent]);
    expect(received).toHaveLength(0);
  });

  it('a queue output binding writes base64, which the trigger decodes back to the same text', async () => {
    const { listener, received, queue } = listen('base64');
    await sendToQueue('BIF_TEST_STORAGE', queue.name, { requestId: 'é-ü' }, 'base64');
    expect(await rawTexts(queue)).toEqual([Buffer.from('{"requestId":"é-ü"}').toString('base64')]);
    await listener.start();
    await until(async () => received.length === 1, 20_000);
    expect(received[0]!.text).toBe('{"requestId":"é-ü"}');
  });
});

describe('messageEncoding none', () => {
  it('delivers the text as is — a base64-looking text is not decoded', async () => {
    const { listener, received, queue } = listen('none');
    await listener.start();
    await queue.sendMessage('{"requestId":"b"}');
    await queue.sendMessage('QUJD');
    await until(async () => received.length === 2);
    expect(received.map((r) => r.text).sort()).toEqual(['QUJD', '{"requestId":"b"}']);
  });

  it('a queue output binding writes the text as is', async () => {
    const { queue } = listen('none');
    await sendToQueue('BIF_TEST_STORAGE', queue.name, 'plain', 'none');
    expect(await rawTexts(queue)).toEqual(['plain']);
  });
});
