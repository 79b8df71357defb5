import rhea from 'rhea';
import { appendJournal, journalOutgrows, readJournal, writeJournalSnapshot } from '../journalFile';
import type { Entity, MessageStore, StoredMessage } from './entities';

/**
 * Service Bus keeps every message it acknowledged until it is settled, and remembers message ids for
 * duplicate detection, across anything that happens to the service. The local broker mirrors that
 * with a state file (a snapshot line, then a journal of changes; see saveBroker) written before it
 * acknowledges a send and after every settlement:
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

type SavedMessage = Snapshot['stores'][string][number];
function saved(m: StoredMessage): SavedMessage {
  return {
    sequenceNumber: m.sequenceNumber,
    enqueuedAt: m.enqueuedAt.toISOString(),
    deliveryCount: m.deliveryCount,
    message: encodedMessage(m.message),
    deadLetter: m.deadLetter,
  };
}

/** A change appended after the snapshot line: a message kept or changed, a message gone, an id seen. */
type JournalEntry =
  | { op: 'put'; store: string; m: SavedMessage }
  | { op: 'del'; store: string; seq: number }
  | { op: 'seen'; entity: string; id: string; at: number }
  | { op: 'unseen'; entity: string; id: string }
  | { op: 'sequence'; sequence: number };

/** What the file holds, per broker: a message's delivery count and dead-letter flag, ids seen. */
interface Written {
  sequence: number;
  messages: Map<string, Map<number, string>>;
  seen: Map<string, Map<string, number>>;
  entries: number;
  live: number;
}
const written = new WeakMap<Map<string, MessageStore>, Written>();

/** Messages change only in their delivery count and dead-letter reason once stored. */
const signature = (m: StoredMessage) => `${m.deliveryCount}|${JSON.stringify(m.deadLetter ?? null)}`;

/**
 * The file is a snapshot line followed by journal lines. A save appends what changed since the last
 * one (one write, before the broker acknowledges), so its cost follows the change, not the backlog;
 * once the journal outgrows what it describes, the whole state is rewritten atomically as one snapshot.
 */
export function saveBroker(
  path: string,
  sequence: number,
  entities: Map<string, Entity>,
  stores: Map<string, MessageStore>,
): void {
  const before = written.get(stores);
  if (!before) return writeSnapshot(path, sequence, entities, stores);
  const entries: JournalEntry[] = [];
  let live = 0;
  for (const [key, store] of stores) {
    const had = before.messages.get(key) ?? new Map<number, string>();
    const now = new Map<number, string>();
    for (const m of [...store.available, ...store.locked.values()]) {
      const sig = signature(m);
      now.set(m.sequenceNumber, sig);
      if (had.get(m.sequenceNumber) !== sig) entries.push({ op: 'put', store: key, m: saved(m) });
    }
    for (const seq of had.keys()) if (!now.has(seq)) entries.push({ op: 'del', store: key, seq });
    before.messages.set(key, now);
    live += now.size;
  }
  for (const [key, entity] of entities) {
    const had = before.seen.get(key) ?? new Map<string, number>();
    for (const [id, at] of entity.seen)
      if (had.get(id) !== at) entries.push({ op: 'seen', entity: key, id, at });
    for (const id of had.keys()) if (!entity.seen.has(id)) entries.push({ op: 'unseen', entity: key, id });
    before.seen.set(key, new Map(entity.seen));
    live += entity.seen.size;
  }
  if (sequence !== before.sequence) entries.push({ op: 'sequence', sequence });
  before.sequence = sequence;
  before.entries += entries.length;
  before.live = live;
  if (journalOutgrows(before.entries, before.live)) return writeSnapshot(path, sequence, entities, stores);
  appendJournal(path, entries);
}

function writeSnapshot(
  path: string,
  sequence: number,
  entities: Map<string, Entity>,
  stores: Map<string, MessageStore>,
): void {
  const snapshot: Snapshot = { sequence, seen: {}, stores: {} };
  const record: Written = { sequence, messages: new Map(), seen: new Map(), entries: 0, live: 0 };
  for (const [key, entity] of entities) {
    snapshot.seen[key] = [...entity.seen];
    record.seen.set(key, new Map(entity.seen));
    record.live += entity.seen.size;
  }
  for (const [key, store] of stores) {
    const all = store.all();
    snapshot.stores[key] = all.map(saved);
    record.messages.set(key, new Map(all.map((m) => [m.sequenceNumber, signature(m)])));
    record.live += all.length;
  }
  writeJournalSnapshot(path, snapshot);
  written.set(stores, record);
}

/** Fills the (empty, freshly built) entities from the snapshot; returns the last sequence number. */
export function loadBroker(
  path: string,
  entities: Map<string, Entity>,
  stores: Map<string, MessageStore>,
): number {
  let snapshot: Snapshot;
  try {
    const contents = readJournal<Snapshot, JournalEntry>(path);
    if (!contents) return 0;
    snapshot = replay(contents.snapshot, contents.entries);
  } catch (error) {
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

/** The snapshot line with the journal applied. */
function replay(snapshot: Snapshot, entries: JournalEntry[]): Snapshot {
  const messages = new Map(
    Object.entries(snapshot.stores).map(([key, list]) => [
      key,
      new Map(list.map((m) => [m.sequenceNumber, m])),
    ]),
  );
  const seen = new Map(Object.entries(snapshot.seen).map(([key, ids]) => [key, new Map(ids)]));
  for (const entry of entries) {
    const inStore = (key: string) => messages.get(key) ?? messages.set(key, new Map()).get(key)!;
    const ofEntity = (key: string) => seen.get(key) ?? seen.set(key, new Map()).get(key)!;
    if (entry.op === 'put') inStore(entry.store).set(entry.m.sequenceNumber, entry.m);
    else if (entry.op === 'del') inStore(entry.store).delete(entry.seq);
    else if (entry.op === 'seen') ofEntity(entry.entity).set(entry.id, entry.at);
    else if (entry.op === 'unseen') ofEntity(entry.entity).delete(entry.id);
    else snapshot.sequence = entry.sequence;
  }
  return {
    sequence: snapshot.sequence,
    seen: Object.fromEntries([...seen].map(([key, ids]) => [key, [...ids]])),
    stores: Object.fromEntries(
      [...messages].map(([key, byId]) => [
        key,
        [...byId.values()].sort((a, b) => a.sequenceNumber - b.sequenceNumber),
      ]),
    ),
  };
}
