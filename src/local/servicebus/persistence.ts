import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import rhea from 'rhea';
import type { Entity, MessageStore, StoredMessage } from './entities';

/**
 * Service Bus keeps every message it acknowledged until it is settled, and remembers message ids for
 * duplicate detection, across anything that happens to the service. The local broker mirrors that
 * with a snapshot file written (atomically) before it acknowledges a send and after every settlement:
 * after a `kill -9` of the local world, undelivered events are still there, and an event re-sent by a
 * resumed activity is still recognised as a duplicate. Messages locked at the crash come back
 * unlocked, as they would when their lock expired.
 */
interface Snapshot {
  sequence: number;
  seen: Record<string, [string, number][]>;
  stores: Record<
    string,
    {
      sequenceNumber: number;
      enqueuedAt: string;
      deliveryCount: number;
      /** The message as rhea encodes it on the wire, base64. */
      message: string;
      deadLetter?: StoredMessage['deadLetter'];
    }[]
  >;
}

/**
 * Stored messages are never changed in place (delivery builds a new wire message), so each is encoded
 * once: re-encoding every held message on every save made a growing backlog cost quadratic time.
 */
const encoded = new WeakMap<object, string>();
function encodedMessage(message: StoredMessage['message']): string {
  let text = encoded.get(message);
  if (text === undefined) {
    text = rhea.message.encode(message as rhea.Message).toString('base64');
    encoded.set(message, text);
  }
  return text;
}

export function saveBroker(
  path: string,
  sequence: number,
  entities: Map<string, Entity>,
  stores: Map<string, MessageStore>,
): void {
  const snapshot: Snapshot = { sequence, seen: {}, stores: {} };
  for (const [key, entity] of entities) snapshot.seen[key] = [...entity.seen];
  for (const [key, store] of stores) {
    snapshot.stores[key] = store.all().map((m) => ({
      sequenceNumber: m.sequenceNumber,
      enqueuedAt: m.enqueuedAt.toISOString(),
      deliveryCount: m.deliveryCount,
      message: encodedMessage(m.message),
      deadLetter: m.deadLetter,
    }));
  }
  writeFileSync(`${path}.tmp`, JSON.stringify(snapshot));
  renameSync(`${path}.tmp`, path);
}

/** Fills the (empty, freshly built) entities from the snapshot; returns the last sequence number. */
export function loadBroker(
  path: string,
  entities: Map<string, Entity>,
  stores: Map<string, MessageStore>,
): number {
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new Error(
      `cannot read the Service Bus broker state ${path}: ${(error as Error).message}. Delete it to start with empty topics.`,
    );
  }
  for (const [key, ids] of Object.entries(snapshot.seen)) {
    const entity = entities.get(key);
    for (const [id, at] of entity ? ids : []) entity!.seen.set(id, at);
  }
  for (const [key, messages] of Object.entries(snapshot.stores)) {
    // A subscription removed from the config since is dropped with its messages, like deleting it in Azure.
    const store = stores.get(key);
    for (const m of store ? messages : []) {
      store!.available.push({
        sequenceNumber: m.sequenceNumber,
        enqueuedAt: new Date(m.enqueuedAt),
        deliveryCount: m.deliveryCount,
        message: { ...rhea.message.decode(Buffer.from(m.message, 'base64')) },
        deadLetter: m.deadLetter,
      });
    }
  }
  return snapshot.sequence;
}
