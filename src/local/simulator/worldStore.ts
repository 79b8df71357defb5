import { appendJournal, journalOutgrows, readJournal, writeJournalSnapshot } from '../journalFile';
import { ChangeTracker } from './changeTracker';
import type { BatchAccountState, WorldState } from './model';

/**
 * The simulator's state file: a snapshot of the world, then one journal line per entry a save found
 * changed (src/local/journalFile.ts, shared with the Service Bus broker). A save before every
 * acknowledged write therefore costs what that write changed, not the whole world (1.3 MB at 200
 * pipelines), and an acknowledged write still survives a `kill -9`.
 */
type Entry =
  | { c: 'resource' | 'operation'; k: string; v?: unknown }
  /** A Batch account without its pools; each pool is an entry of its own. */
  | { c: 'account'; k: string; v?: Omit<BatchAccountState, 'pools'> }
  | { c: 'pool'; k: string; pool: string; v?: unknown }
  | { c: 'subscriptions'; v: WorldState['subscriptions'] }
  | { c: 'faults'; v: WorldState['faults'] }
  /** Last of every save that writes anything. */
  | { c: 'clock'; sequence: number; savedAtSimMs?: number };

export class WorldStore {
  private readonly tracker = new ChangeTracker();
  /** What the file says of each entry (its JSON), to drop entries a read took but did not change. */
  private written = new Map<string, string>();
  private writtenSubscriptions = '';
  private writtenFaults = '';
  private writtenSequence = 0;
  private entries = 0;
  /** Nothing written yet by this process: the first save writes a snapshot. */
  private fresh = true;

  constructor(private readonly path: string) {}

  /** The state reloaded from the snapshot and its journal; undefined when there is no file. */
  static load(path: string): WorldState | undefined {
    try {
      const contents = readJournal<WorldState, Entry>(path);
      if (!contents) return undefined;
      const state = contents.snapshot;
      for (const entry of contents.entries) apply(state, entry);
      return state;
    } catch (error) {
      throw new Error(`cannot read simulator state ${path}: ${(error as Error).message}`);
    }
  }

  /** Simulated time at the last save, without rebuilding the world; undefined when unreadable. */
  static savedAtSimMs(path: string): number | undefined {
    try {
      const contents = readJournal<WorldState, Entry>(path);
      let at = contents?.snapshot.savedAtSimMs;
      for (const entry of contents?.entries ?? []) if (entry.c === 'clock') at = entry.savedAtSimMs ?? at;
      return at;
    } catch {
      return undefined; // torn or foreign: the other clues to simulated time decide
    }
  }

  /** The state handlers should change, so the store knows what they changed. */
  track(state: WorldState): WorldState {
    this.fresh = true;
    return this.tracker.track(state);
  }

  /** Writes what changed since the last save (`state` unproxied). */
  save(state: WorldState): void {
    if (this.fresh || this.tracker.everything) return this.snapshot(state);
    const entries = this.changes(state);
    this.tracker.clear();
    // Small and changed in place (a fault's remaining count, a registered provider): compared whole.
    const subscriptions = JSON.stringify(state.subscriptions);
    if (subscriptions !== this.writtenSubscriptions)
      entries.push({ c: 'subscriptions', v: state.subscriptions });
    const faults = JSON.stringify(state.faults);
    if (faults !== this.writtenFaults) entries.push({ c: 'faults', v: state.faults });
    this.writtenSubscriptions = subscriptions;
    this.writtenFaults = faults;
    if (entries.length === 0 && state.sequence === this.writtenSequence) return;
    this.writtenSequence = state.sequence;
    entries.push({ c: 'clock', sequence: state.sequence, savedAtSimMs: state.savedAtSimMs });
    this.entries += entries.length;
    if (journalOutgrows(this.entries, this.written.size)) return this.snapshot(state);
    appendJournal(this.path, entries);
  }

  private changes(state: WorldState): Entry[] {
    const entries: Entry[] = [];
    const note = (id: string, value: unknown, entry: Entry) => {
      const json = value === undefined ? undefined : JSON.stringify(value);
      if (this.written.get(id) === json) return;
      if (json === undefined) this.written.delete(id);
      else this.written.set(id, json);
      entries.push(entry);
    };
    for (const k of this.tracker.resources) {
      const v = state.resources[k];
      note(`r ${k}`, v, { c: 'resource', k, v });
    }
    for (const k of this.tracker.operations) {
      const v = state.operations[k];
      note(`o ${k}`, v, { c: 'operation', k, v });
    }
    // Accounts before their pools, so a replay finds the account a pool belongs to.
    for (const k of new Set([...this.tracker.accounts, ...this.tracker.pools.keys()])) {
      const v = withoutPools(state.batchAccounts[k]);
      note(`a ${k}`, v, { c: 'account', k, v });
    }
    for (const [k, pools] of this.tracker.pools)
      for (const pool of pools) {
        const v = state.batchAccounts[k]?.pools[pool];
        note(`p ${k} ${pool}`, v, { c: 'pool', k, pool, v });
      }
    return entries;
  }

  private snapshot(state: WorldState): void {
    this.tracker.clear();
    this.fresh = false;
    this.entries = 0;
    this.written = new Map();
    for (const [k, v] of Object.entries(state.resources)) this.written.set(`r ${k}`, JSON.stringify(v));
    for (const [k, v] of Object.entries(state.operations)) this.written.set(`o ${k}`, JSON.stringify(v));
    for (const [k, account] of Object.entries(state.batchAccounts)) {
      this.written.set(`a ${k}`, JSON.stringify(withoutPools(account)));
      for (const [pool, v] of Object.entries(account.pools))
        this.written.set(`p ${k} ${pool}`, JSON.stringify(v));
    }
    this.writtenSubscriptions = JSON.stringify(state.subscriptions);
    this.writtenFaults = JSON.stringify(state.faults);
    this.writtenSequence = state.sequence;
    writeJournalSnapshot(this.path, state);
  }
}

function withoutPools(account: BatchAccountState | undefined): Omit<BatchAccountState, 'pools'> | undefined {
  if (!account) return undefined;
  const rest: Partial<BatchAccountState> = { ...account };
  delete rest.pools;
  return rest as Omit<BatchAccountState, 'pools'>;
}

function apply(state: WorldState, entry: Entry): void {
  switch (entry.c) {
    case 'resource':
      return put(state.resources, entry.k, entry.v as WorldState['resources'][string] | undefined);
    case 'operation':
      return put(state.operations, entry.k, entry.v as WorldState['operations'][string] | undefined);
    case 'account': {
      const pools = state.batchAccounts[entry.k]?.pools ?? {};
      return put(state.batchAccounts, entry.k, entry.v && { ...entry.v, pools });
    }
    case 'pool': {
      const account = state.batchAccounts[entry.k];
      if (account) put(account.pools, entry.pool, entry.v as BatchAccountState['pools'][string] | undefined);
      return;
    }
    case 'subscriptions':
      state.subscriptions = entry.v;
      return;
    case 'faults':
      state.faults = entry.v;
      return;
    case 'clock':
      state.sequence = entry.sequence;
      state.savedAtSimMs = entry.savedAtSimMs;
  }
}

function put<V>(record: Record<string, V>, key: string, value: V | undefined): void {
  if (value === undefined) delete record[key];
  else record[key] = value;
}
