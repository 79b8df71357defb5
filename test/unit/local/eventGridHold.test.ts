import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock, type IdleSignal } from '../../../src/local/clock';
import { EventGridDelivery } from '../../../src/local/simulator/eventGrid/delivery';

/**
 * An Event Grid delivery is work the host's engine cannot see until the webhook has handled it: on a
 * 'jump-when-idle' clock it holds time, or a pending 1-hour timer would fire before the event lands.
 */
const HOUR = 3_600_000;
const idleEngine: IdleSignal = { idle: true, onIdleChange: () => () => undefined };

let server: Server;
let endpoint: string;
const seen: string[] = [];
let clock: VirtualClock;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const [event] = JSON.parse(text) as Array<{ data: { validationCode?: string } }>;
      if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
        res.end(JSON.stringify({ validationResponse: event!.data.validationCode }));
        return;
      }
      // The webhook's own work (reading, raising an event) takes a few real ms.
      setTimeout(() => {
        seen.push(`event@${clock.nowMs()}`);
        res.end();
      }, 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

it('a delivery in flight holds a jump clock: the event lands before a pending timer', async () => {
  clock = new VirtualClock({ speed: 1, startSimMs: 0, mode: 'jump-when-idle' });
  clock.follow(idleEngine);
  const delivery = new EventGridDelivery(clock);
  await delivery.subscribe({ name: 'hook', endpoint });
  clock.at(HOUR, () => seen.push(`timer@${clock.nowMs()}`));
  // Time flowed at speed 1 during the handshake (no alarm was pending); from here it must stand still.
  const published = clock.nowMs();
  delivery.publish({
    id: 'e1',
    topic: '/subscriptions/s',
    subject: '/x',
    eventType: 'Microsoft.Resources.ResourceWriteSuccess',
    eventTime: new Date(0).toISOString(),
    data: {},
    dataVersion: '2',
    metadataVersion: '1',
  });
  await delivery.idle();
  await new Promise((r) => setImmediate(r));
  // The event lands first, long before the hour (time may flow at speed 1 until the delivery holds the
  // clock: a few real ms on a loaded machine, never the hour the jump would skip).
  expect(seen.map((s) => s.split('@')[0])).toEqual(['event', 'timer']);
  expect(Number(seen[0]!.split('@')[1])).toBeLessThan(published + 60_000);
  expect(seen[1]).toBe(`timer@${HOUR}`);
  expect(delivery.attempts.map((a) => a.outcome)).toEqual(['delivered']);
});
