import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { VirtualClock } from '../clock';
import { emptyWorld, type ArmResource, type WorldState } from './model';
import type { FaultRule } from './faults';

/** The simulated world plus the clock it lives on, with optional save-to-file after every change. */
export class World {
  state: WorldState;

  constructor(
    readonly clock: VirtualClock,
    private readonly statePath?: string,
    initial?: WorldState,
  ) {
    this.state = initial ?? emptyWorld();
  }

  static load(statePath: string): WorldState | undefined {
    try {
      return JSON.parse(readFileSync(statePath, 'utf8')) as WorldState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read simulator state ${statePath}: ${(error as Error).message}`);
    }
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
    const prefix = `${normalizeId(parentId)}/${childType.toLowerCase()}/`;
    return Object.keys(this.state.resources)
      .filter((key) => key.startsWith(prefix) && !key.slice(prefix.length).includes('/'))
      .map((key) => this.resource(key))
      .filter((r): r is ArmResource => r !== undefined)
      .sort((a, b) => a.createdAtSimMs - b.createdAtSimMs || a.name.localeCompare(b.name));
  }

  addFault(rule: FaultRule): FaultRule {
    const withId = { ...rule, id: rule.id ?? this.nextId('fault') };
    this.state.faults.push(withId);
    return withId;
  }

  private savePending = false;

  /**
   * Persist after a change, when a state file was given; written atomically so a kill never leaves half a
   * file. The write happens once per turn of the event loop, after every request that turn handled, so
   * many pipelines polling at once no longer rewrite the whole world for each of their reads; the server
   * saves before it answers a write (simulator.ts), so an acknowledged write survives a kill -9.
   */
  changed(): void {
    if (!this.statePath || this.savePending) return;
    this.savePending = true;
    setImmediate(() => this.save());
  }

  /** Writes a pending change now (on stop, so nothing waits for the next turn). */
  save(): void {
    if (!this.statePath || !this.savePending) return;
    this.savePending = false;
    this.state.savedAtSimMs = this.now();
    const tmp = `${this.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.statePath);
  }
}

/** ARM ids are case-insensitive; also tolerate a missing leading slash (some official examples omit it). */
export function normalizeId(id: string): string {
  return `/${id.replace(/^\/+/, '').replace(/\/+$/, '')}`.toLowerCase();
}
