import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEntities, type StoredMessage } from '../../../src/local/servicebus/entities';
import { loadBroker, saveBroker } from '../../../src/local/servicebus/persistence';

// The broker's state file: a snapshot line, then one journal line per change, each save before an ack.
const config = { topics: [{ name: 'bif-events', subscriptions: ['all'], duplicateDetection: true }] };
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bif-sb-journal-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const message = (n: number): StoredMessage => ({
  sequenceNumber: n,
  enqueuedAt: new Date(Date.UTC(2026, 10, 29, 12, 0, n)),
  deliveryCount: 0,
  message: { message_id: `e${n}`, body: `event ${n}` },
});

function reload(path: string) {
  const fresh = buildEntities(config);
  const sequence = loadBroker(path, fresh.entities, fresh.stores);
  const all = fresh.stores.get('bif-events/subscriptions/all')!.all();
  return { sequence, fresh, bodies: all.map((m) => [m.sequenceNumber, m.deliveryCount, m.message.body]) };
}

describe('local Service Bus broker state file', () => {
  it('appends only what changed, and a reload sees every change', () => {
    const path = join(dir, 'servicebus.json');
    const { entities, stores } = buildEntities(config);
    const store = stores.get('bif-events/subscriptions/all')!;
    saveBroker(path, 0, entities, stores);
    for (let n = 1; n <= 50; n++) store.available.push(message(n));
    entities.get('bif-events')!.seen.set('e1', 1000);
    saveBroker(path, 50, entities, stores);
    const sizeAfterSends = readFileSync(path, 'utf8').length;
    store.available.shift(); // settled
    store.available[0]!.deliveryCount = 2; // delivered twice, abandoned
    saveBroker(path, 50, entities, stores);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    // The third save wrote two short lines, not the 49 messages again.
    expect(readFileSync(path, 'utf8').length - sizeAfterSends).toBeLessThan(sizeAfterSends / 10);
    expect(lines.slice(-2).map((l) => (JSON.parse(l) as { op: string }).op)).toEqual(['put', 'del']);

    const { sequence, fresh, bodies } = reload(path);
    expect(sequence).toBe(50);
    expect(bodies).toHaveLength(49);
    expect(bodies[0]).toEqual([2, 2, 'event 2']);
    expect(bodies.at(-1)).toEqual([50, 0, 'event 50']);
    expect([...fresh.entities.get('bif-events')!.seen]).toEqual([['e1', 1000]]);
  });

  it('ignores a torn last line, which was never acknowledged', () => {
    const path = join(dir, 'servicebus.json');
    const { entities, stores } = buildEntities(config);
    stores.get('bif-events/subscriptions/all')!.available.push(message(1));
    saveBroker(path, 1, entities, stores);
    appendFileSync(path, '{"op":"put","store":"bif-events/subscri');
    expect(reload(path).bodies).toEqual([[1, 0, 'event 1']]);
  });

  it('rewrites one snapshot once the journal outgrows the state it describes', () => {
    const path = join(dir, 'servicebus.json');
    const { entities, stores } = buildEntities(config);
    const store = stores.get('bif-events/subscriptions/all')!;
    saveBroker(path, 0, entities, stores);
    for (let n = 1; n <= 1500; n++) {
      store.available.push(message(n));
      saveBroker(path, n, entities, stores);
      store.available.shift();
      saveBroker(path, n, entities, stores);
    }
    expect(readFileSync(path, 'utf8').trim().split('\n').length).toBeLessThan(1100);
    expect(reload(path)).toMatchObject({ sequence: 1500, bodies: [] });
  });
});
