import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { startTestWorld, type TestWorld } from '../helpers/world';
import { ROOT } from '../helpers/requests';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { MAX_REQUEST_BYTES } from '../../src/triggers/intake';
import { BUILD_QUEUE_MAX_DELIVERY_COUNT } from '../../src/local/servicebus/defaultConfig';

jest.setTimeout(180_000);

/**
 * Build requests sent to the Service Bus queue with the real ServiceBusSender: the compiled app's
 * buildRequestsServiceBus trigger in the embedded host runs them end to end; a request that can never
 * run publishes Pipeline.Failed with its findings and is kept in the queue's dead-letter queue exactly
 * as sent; a duplicate requestId does not run twice.
 */
const QUEUE = 'build-requests';
const request = JSON.parse(readFileSync(join(ROOT, 'examples', 'three-regions-3000-nodes.json'), 'utf8'));
const REQUEST_ID = 'sb-render-2026-11-29';

let world: TestWorld;
let sb: ServiceBusClient;
beforeAll(async () => {
  world = await startTestWorld();
  await world.startHost();
  sb = new ServiceBusClient(world.broker.connectionString);
});
afterAll(async () => {
  await sb?.close();
  await world?.stop();
});

const eventTypes = (events: ServiceBusReceivedMessage[]) =>
  events.map((m) => (m.body as { type: string }).type.replace('BatchImageFactory.', ''));

async function until(check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in time; host log:\n${world.host?.logs.join('').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function deadLetters(count: number): Promise<ServiceBusReceivedMessage[]> {
  await until(() => world.broker.count(`${QUEUE}/$DeadLetterQueue`) >= count);
  const dlq = sb.createReceiver(QUEUE, { subQueueType: 'deadLetter', skipParsingBodyAsJson: true });
  const got: ServiceBusReceivedMessage[] = [];
  while (got.length < count) got.push(...(await dlq.receiveMessages(count, { maxWaitTimeInMs: 2000 })));
  for (const m of got) await dlq.completeMessage(m);
  await dlq.close();
  return got;
}

describe('Service Bus queue as a build intake', () => {
  it('runs a request sent to the queue end to end, and does not run a duplicate requestId twice', async () => {
    const sender = sb.createSender(QUEUE);
    await sender.sendMessages({
      body: { ...request, requestId: REQUEST_ID },
      contentType: 'application/json',
      messageId: 'first',
    });
    const instanceId = pipelineInstanceId(REQUEST_ID);
    const status = await world.waitForStatus(instanceId, ['Completed', 'Failed'], 120_000);
    expect(status.runtimeStatus).toBe('Completed');
    await until(() => world.broker.count(QUEUE) === 0);
    const events = await world.receiveEvents(100, 1500);
    expect(eventTypes(events)[0]).toBe('Pipeline.Accepted');
    expect(eventTypes(events).at(-1)).toBe('Pipeline.Completed');

    await sender.sendMessages({ body: { ...request, requestId: REQUEST_ID }, messageId: 'again' });
    await until(() => world.broker.count(QUEUE) === 0);
    await sender.close();
    expect(await world.receiveEvents(100, 1500)).toEqual([]); // nothing started, nothing published
    const after = await world.waitForStatus(instanceId);
    expect(after.lastUpdatedTime).toBe(status.lastUpdatedTime);
    expect(world.broker.count(`${QUEUE}/$DeadLetterQueue`)).toBe(0); // a duplicate is handled, not rejected
  });
});

describe('Service Bus queue intake: what it rejects is kept', () => {
  it('publishes Pipeline.Failed with the findings of a bad request and keeps it, as sent, in the dead-letter queue', async () => {
    const bad = { ...request, requestId: 'sb-bad-1', image: { ...request.image, osType: 'linux' } };
    const sent = Buffer.from(JSON.stringify(bad), 'utf8');
    await sb.createSender(QUEUE).sendMessages({ body: sent, messageId: 'bad-1' });
    const [dead] = await deadLetters(1);
    expect(dead!.messageId).toBe('bad-1');
    expect(Buffer.from(dead!.body as Buffer)).toEqual(sent);
    expect(dead!.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead!.deliveryCount).toBe(BUILD_QUEUE_MAX_DELIVERY_COUNT);

    // Each delivery published the same event; the topic's duplicate detection kept one.
    const failed = (await world.receiveEvents(100, 1500)).map((m) => m.body as any);
    expect(failed.map((e) => e.type)).toEqual(['BatchImageFactory.Pipeline.Failed']);
    expect(failed[0].data).toMatchObject({ requestId: 'sb-bad-1', stage: 'validation' });
    expect(failed[0].data.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'FIELD_INVALID', path: 'image.osType' })]),
    );
  });

  it('keeps a body that is not JSON, one over the size limit and one that is not UTF-8, each byte for byte', async () => {
    const tooBig = JSON.stringify({
      ...request,
      requestId: 'sb-too-big',
      pools: request.pools.map((p: any) => ({
        ...p,
        startTask: { ...p.startTask, commandLine: `/bin/bash -c 'echo ${'x'.repeat(MAX_REQUEST_BYTES)}'` },
      })),
    });
    // A whole valid request, but written in Latin-1: "é" is one byte that is not UTF-8.
    const latin1 = JSON.stringify({
      ...request,
      requestId: 'sb-latin1',
      pools: request.pools.map((p: any) => ({
        ...p,
        startTask: { ...p.startTask, commandLine: "/bin/bash -c 'echo équipe'" },
      })),
    });
    const bodies: Record<string, Buffer> = {
      'not-json': Buffer.from('{"requestId": "sb-not-json", ', 'utf8'),
      'too-big': Buffer.from(tooBig, 'utf8'),
      'not-utf8': Buffer.from(latin1, 'latin1'),
    };
    const sender = sb.createSender(QUEUE);
    for (const [messageId, body] of Object.entries(bodies)) await sender.sendMessages({ body, messageId });
    await sender.close();
    const dead = await deadLetters(3);
    for (const m of dead) expect(Buffer.from(m.body as Buffer)).toEqual(bodies[String(m.messageId)]);
    expect(dead.map((m) => m.messageId).sort()).toEqual(Object.keys(bodies).sort());

    const failed = (await world.receiveEvents(100, 1500)).map((m) => m.body as any);
    const codes = Object.fromEntries(
      failed.map((e) => [
        e.data.requestId.replace(/^invalid-.*/, 'invalid'),
        e.data.findings.map((f: any) => f.code),
      ]),
    );
    // The one that is not JSON has no requestId to name: its id comes from the message hash.
    expect(codes).toEqual({
      invalid: ['REQUEST_NOT_JSON'],
      'sb-too-big': ['FIELD_INVALID'],
      'sb-latin1': ['FIELD_INVALID'],
    });
    const latin1Finding = failed.find((e) => e.data.requestId === 'sb-latin1').data.findings[0];
    expect(latin1Finding.message).toMatch(/contains U\+FFFD .*most likely not sent as UTF-8/);
    expect(failed).toHaveLength(3);
  });
});
