import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/local/clock';
import { World } from '../../../src/local/simulator/world';

// The simulator's state file: saved after every turn of the event loop that changed the world.
describe('simulator world state file', () => {
  it('writes once for all the changes of one turn, before the next turn runs', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'bif-world-'));
    const path = join(dir, 'world.json');
    const world = new World(new VirtualClock({ speed: 1 }), path);
    try {
      for (let i = 0; i < 50; i++) {
        world.addFault({ kind: 'reset', service: 'arm' } as never);
        world.changed();
      }
      // Not rewritten for each of the 50 changes: one write once this turn's work is done.
      expect(fs.existsSync(path)).toBe(false);
      await new Promise((resolve) => setImmediate(resolve));
      expect((World.load(path)?.faults ?? []).length).toBe(50);
      world.addFault({ kind: 'reset', service: 'arm' } as never);
      world.changed();
      world.save(); // what stop() does: no change waits for a turn that may never come
      expect((World.load(path)?.faults ?? []).length).toBe(51);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
