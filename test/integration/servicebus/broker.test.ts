import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { startBroker, type RunningBroker } from '../../../src/local/servicebus/broker';

// The real ServiceBusClient against the local broker, over AMQP on 127.0.0.1.
let broker: RunningBroker;
let client: ServiceBusClient;

beforeAll(async () => {
  broker = await startBroker({
    queues: [{ name: 'work', maxDeliveryCount: 3, lockDurationSeconds: 2 }, { name: 'plain' }],
    topics: [{ name: 'bif-events', subscriptions: ['all', 'audit'] }],
  });
  client = new ServiceBusClient(broker.connectionString);
});
afterAll(async () => {
  await client.close();
  await broker.stop();
});

describe('local Service Bus broker with the real ServiceBusClient', () => {
  it('sends single, array and batch messages and receives them in order with peek-lock', async () => {
    const sender = client.createSender('work');
    await sender.sendMessages({ body: { n: 1 }, messageId: 'm1', applicationProperties: { type: 'x' } });
    await sender.sendMessages([{ body: { n: 2 } }, { body: { n: 3 } }]);
    const batch = await sender.createMessageBatch();
    expect(batch.tryAddMessage({ body: { n: 4 } })).toBe(true);
    expect(batch.tryAddMessage({ body: { n: 5 }, correlationId: 'req-1' })).toBe(true);
    await sender.sendMessages(batch);
    await sender.close();

    const receiver = client.createReceiver('work');
    const received: ServiceBusReceivedMessage[] = [];
    while (received.length < 5)
      received.push(...(await receiver.receiveMessages(5, { maxWaitTimeInMs: 2000 })));
    expect(received.map((m) => (m.body as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(received[0]).toMatchObject({
      messageId: 'm1',
      applicationProperties: { type: 'x' },
      deliveryCount: 0,
    });
    expect(received[4]!.correlationId).toBe('req-1');
    expect(
      received.every(
        (m) => typeof m.sequenceNumber?.toNumber() === 'number' && m.lockToken && m.enqueuedTimeUtc,
      ),
    ).toBe(true);
    expect(new Set(received.map((m) => m.messageId)).size).toBe(5); // ids are set when missing
    for (const m of received) await receiver.completeMessage(m);
    expect(broker.count('work')).toBe(0);
    await receiver.close();
  });

  it('abandons back to the queue and dead-letters after maxDeliveryCount', async () => {
    await client.createSender('work').sendMessages({ body: 'poison', messageId: 'p1' });
    const receiver = client.createReceiver('work');
    for (let attempt = 0; attempt < 3; attempt++) {
      const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
      expect(m!.deliveryCount).toBe(attempt);
      await receiver.abandonMessage(m!);
    }
    expect(broker.count('work')).toBe(0);
    const dlq = client.createReceiver('work', { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead).toMatchObject({ body: 'poison', deadLetterReason: 'MaxDeliveryCountExceeded' });
    await dlq.completeMessage(dead!);
    await receiver.close();
    await dlq.close();
  });

  it('dead-letters on request with the reason', async () => {
    await client.createSender('work').sendMessages({ body: 'bad', messageId: 'd1' });
    const receiver = client.createReceiver('work');
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(m!, {
      deadLetterReason: 'SchemaInvalid',
      deadLetterErrorDescription: 'requestId is required',
    });
    const dlq = client.createReceiver('work', { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead).toMatchObject({
      deadLetterReason: 'SchemaInvalid',
      deadLetterErrorDescription: 'requestId is required',
    });
    await dlq.completeMessage(dead!);
    await Promise.all([receiver.close(), dlq.close()]);
  });

  it('renews a lock and redelivers a message whose lock expired', async () => {
    await client.createSender('work').sendMessages({ body: 'slow', messageId: 'l1' });
    // The SDK renews locks on its own by default; turn that off to let this one lapse.
    const receiver = client.createReceiver('work', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    const before = m!.lockedUntilUtc!.getTime();
    await new Promise((r) => setTimeout(r, 50));
    const renewed = await receiver.renewMessageLock(m!);
    expect(renewed.getTime()).toBeGreaterThan(before);
    // Let the 2 s lock lapse: the message comes back with deliveryCount 1.
    await new Promise((r) => setTimeout(r, 2600));
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(again).toMatchObject({ messageId: 'l1', deliveryCount: 1 });
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  it('receives and deletes', async () => {
    await client.createSender('plain').sendMessages({ body: 'once' });
    const receiver = client.createReceiver('plain', { receiveMode: 'receiveAndDelete' });
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(m!.body).toBe('once');
    expect(broker.count('plain')).toBe(0);
    await receiver.close();
  });

  it('fans a topic out to every declared subscription, drops duplicate message ids, and peeks', async () => {
    const sender = client.createSender('bif-events');
    await sender.sendMessages([
      { body: { e: 1 }, messageId: 'evt-1', contentType: 'application/cloudevents+json' },
      { body: { e: 1 }, messageId: 'evt-1' }, // a retried send: duplicate detection collapses it
      { body: { e: 2 }, messageId: 'evt-2' },
    ]);
    const audit = client.createReceiver('bif-events', 'audit');
    const peeked = await audit.peekMessages(10);
    expect(peeked.map((m) => m.messageId)).toEqual(['evt-1', 'evt-2']);
    expect(peeked[0]!.contentType).toBe('application/cloudevents+json');
    const all = client.createReceiver('bif-events', 'all');
    const got = await all.receiveMessages(10, { maxWaitTimeInMs: 1500 });
    expect(got.map((m) => m.messageId)).toEqual(['evt-1', 'evt-2']);
    for (const m of got) await all.completeMessage(m);
    expect(broker.count('bif-events/Subscriptions/audit')).toBe(2);
    await Promise.all([audit.close(), all.close(), sender.close()]);
  });

  it('refuses an entity that was not declared', async () => {
    await expect(client.createSender('nope').sendMessages({ body: 1 })).rejects.toThrow(/could not be found/);
  });
});
