import { mkdtempSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../local/clock';
import { World } from '../local/simulator/world';
import { seedWorld } from '../local/simulator/scenario';
import type { ArmResource, WorldState } from '../local/simulator/model';
import { benchScenario } from './scenario';

/**
 * The simulator's state file at the size 200 pipelines leave it (about 1.3 MB): what one acknowledged
 * write costs to make durable, with the journal (what the simulator does) and with a whole-state
 * rewrite (what it did before), measured side by side in one process on the same world. The engine
 * section shows the effect on turns; this shows the cause without the engine's noise.
 */
const PIPELINES = 200;
/** Enough journal writes to include compactions in the average (one about every 3000 writes here). */
const JOURNAL_WRITES = 8000;
const WHOLE_WRITES = 300;

function resource(i: number, kind: string): ArmResource {
  const id = `/subscriptions/s/resourceGroups/rg-${i % 7}/providers/Microsoft.Compute/${kind}/bench-${i}`;
  return {
    id,
    type: `microsoft.compute/${kind}`,
    name: `bench-${i}`,
    location: 'westeurope',
    createdAtSimMs: i,
    // Gallery versions, snapshots and managed images carry about this much JSON each.
    properties: { provisioningState: 'Succeeded', storageProfile: { note: 'x'.repeat(600) } },
  };
}

/** Six resources and six operations per pipeline, like a single-region build. */
function worldOf200(nowMs: number): WorldState {
  const state = seedWorld(benchScenario(), nowMs);
  for (let i = 0; i < PIPELINES * 6; i++) {
    const r = resource(i, ['snapshots', 'images', 'galleries/g/images/d/versions'][i % 3]!);
    state.resources[r.id.toLowerCase()] = r;
    state.operations[`op-${i}`] = {
      id: `op-${i}`,
      subscriptionId: 's',
      location: 'westeurope',
      kind: 'put',
      resourceId: r.id,
      startedAtSimMs: i,
    };
  }
  return state;
}

function timeWrites(count: number, write: (i: number) => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) write(i);
  return Number(process.hrtime.bigint() - started) / 1e6 / count;
}

export function stateFileBench() {
  const dir = mkdtempSync(join(tmpdir(), 'bif-bench-state-'));
  try {
    const clock = new VirtualClock({ speed: 1 });
    const path = join(dir, 'journal.json');
    const world = new World(clock, path, worldOf200(clock.nowMs()));
    world.changed();
    world.save();
    const stateBytes = statSync(path).size;
    const ids = Object.values(world.plain.resources).map((r) => r.id);
    const journalMs = timeWrites(JOURNAL_WRITES, (i) => {
      world.resource(ids[i % ids.length]!)!.properties.touched = i;
      world.changed();
      world.save();
    });
    // Compaction keeps the file within a small multiple of the state however many writes it took.
    const fileKb = statSync(path).size / 1024;

    // What every save did before: the whole world, serialised and written atomically.
    const whole = join(dir, 'whole.json');
    const plain = world.plain;
    const wholeMs = timeWrites(WHOLE_WRITES, (i) => {
      plain.resources[ids[i % ids.length]!.toLowerCase()]!.properties.touched = -i;
      writeFileSync(`${whole}.tmp`, JSON.stringify(plain));
      renameSync(`${whole}.tmp`, whole);
    });
    return { stateKb: stateBytes / 1024, fileKb, journalMs, wholeMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
