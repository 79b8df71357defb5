import type { VirtualClock } from '../clock';
import { emptyWorld, type ArmResource, type WorldState } from './model';
import type { FaultRule } from './faults';
import { WorldStore } from './worldStore';
import type { TimingOverrides } from './timing';

/** The simulated world plus the clock it lives on, with optional save-to-file after every change. */
export class World {
  /** The state itself, for serialising it whole without noting every entry as changed. */
  private plainState!: WorldState;
  /** With a state file, the state handlers see: the store notes what they take out of it. */
  private trackedState!: WorldState;
  private readonly store?: WorldStore;
  /** The scenario's per-region timings (Batch allocation reads them; ARM gets them with each request). */
  timing: TimingOverrides = {};

  constructor(
    readonly clock: VirtualClock,
    statePath?: string,
    initial?: WorldState,
  ) {
    if (statePath) this.store = new WorldStore(statePath);
    this.state = initial ?? emptyWorld();
  }

  get state(): WorldState {
    return this.trackedState;
  }

  set state(state: WorldState) {
    this.plainState = state;
    this.trackedState = this.store ? this.store.track(state) : state;
  }

  /** The state unwrapped, for reading it whole (GET /_sim/state, POST /_sim/save). */
  get plain(): WorldState {
    return this.plainState;
  }

  static load(statePath: string): WorldState | undefined {
    return WorldStore.load(statePath);
  }

  now(): number {
    return this.clock.nowMs();
  }

  nextId(prefix: string): string {
    this.state.sequence += 1;
    const n = this.state.sequence.toString(16).padStart(12, '0');
    return `${prefix}-0000-4000-8000-${n}`;
  }

  resource(id: string): ArmResource | undefined {
    const found = this.state.resources[normalizeId(id)];
    if (found?.deletingAtSimMs !== undefined && this.now() >= found.deletingAtSimMs) {
      delete this.state.resources[normalizeId(id)];
      return undefined;
    }
    return found;
  }

  put(resource: ArmResource): void {
    this.state.resources[normalizeId(resource.id)] = resource;
  }

  children(parentId: string, childType: string): ArmResource[] {
    return this.childKeys(parentId, childType).map((key) => this.resource(key)!);
  }

  /**
   * The keys of a parent's live children, oldest first, read without taking the resources out of the
   * tracked state: a list pages through them and takes only the page it answers, so a save serialises
   * those and not every snapshot of a resource group (hundreds at 200 pipelines) on every page.
   */
  childKeys(parentId: string, childType: string): string[] {
    return this.liveKeys(`${normalizeId(parentId)}/${childType.toLowerCase()}/`).sort((a, b) => {
      const x = this.plainState.resources[a]!;
      const y = this.plainState.resources[b]!;
      return x.createdAtSimMs - y.createdAtSimMs || x.name.localeCompare(y.name);
    });
  }

  /** Keys of live resources directly under `prefix` (lower-case, ending in '/'), in insertion order. */
  liveKeys(prefix: string): string[] {
    const now = this.now();
    return Object.keys(this.plainState.resources).filter((key) => {
      if (!key.startsWith(prefix) || key.slice(prefix.length).includes('/')) return false;
      const due = this.plainState.resources[key]!.deletingAtSimMs;
      if (due === undefined || now < due) return true;
      // A finished delete goes through resource(), which drops it from the tracked state.
      return this.resource(key) !== undefined;
    });
  }

  addFault(rule: FaultRule): FaultRule {
    const withId = { ...rule, id: rule.id ?? this.nextId('fault') };
    this.state.faults.push(withId);
    return withId;
  }

  private savePending = false;

  /**
   * Persist after a change, when a state file was given (worldStore.ts: what changed is appended, the
   * whole world rewritten atomically now and then). The write happens once per turn of the event loop,
   * after every request that turn handled; the server saves before it answers a write (simulator.ts),
   * so an acknowledged write survives a kill -9.
   */
  changed(): void {
    if (!this.store || this.savePending) return;
    this.savePending = true;
    setImmediate(() => this.save());
  }

  /** Writes a pending change now (on stop, so nothing waits for the next turn). */
  save(): void {
    if (!this.store || !this.savePending) return;
    this.savePending = false;
    this.plainState.savedAtSimMs = this.now();
    this.store.save(this.plainState);
  }
}

/** ARM ids are case-insensitive; also tolerate a missing leading slash (some official examples omit it). */
export function normalizeId(id: string): string {
  return `/${id.replace(/^\/+/, '').replace(/\/+$/, '')}`.toLowerCase();
}
