import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/local/clock';
import { World } from '../../../src/local/simulator/world';
import { lastSimTime, worldFiles } from '../../../src/local/worldFolder';
import type { ArmResource, BatchPoolState, WorldState } from '../../../src/local/simulator/model';
import { serveArm } from '../../../src/local/simulator/arm/armService';

// The simulator's state file is a snapshot plus a journal of what each save found changed: a save
// before an acknowledged write costs that write, not the whole world, and a reload sees every write.
const resource = (i: number): ArmResource => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g${i}`,
  type: 'microsoft.compute/galleries',
  name: `g${i}`,
  location: 'westeurope',
  properties: { provisioningState: 'Succeeded', padding: 'x'.repeat(500) },
  createdAtSimMs: i,
});

const pool = (id: string): BatchPoolState => ({
  id,
  spec: { id, vmSize: 'standard_d2s_v3' },
  createdAtSimMs: 0,
  eTag: '0x1',
  resize: {
    startedAtSimMs: 0,
    fromDedicated: 0,
    fromLowPriority: 0,
    toDedicated: 1,
    toLowPriority: 0,
    durationMs: 1,
    timeoutMs: 1,
  },
});

function seeded(count: number): WorldState {
  const state: WorldState = {
    subscriptions: { s: { tenantId: 't', resourceGroups: {}, providers: {} } },
    resources: {},
    operations: {},
    batchAccounts: {
      acct: {
        name: 'acct',
        id: '/a',
        region: 'westeurope',
        subscriptionId: 's',
        dedicatedQuota: 10,
        lowPriorityQuota: 10,
        supportedImages: [],
        pools: {},
      },
    },
    faults: [],
    sequence: 0,
  };
  for (let i = 0; i < count; i++) {
    const r = resource(i);
    state.resources[r.id.toLowerCase()] = r;
  }
  return state;
}

describe('simulator state journal, written', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(join(tmpdir(), 'bif-world-journal-'));
    path = join(dir, 'world.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const saveNow = (world: World) => {
    world.changed();
    world.save();
  };

  it('appends only what a write changed, and a reload sees every change', () => {
    const world = new World(new VirtualClock({ speed: 1 }), path, seeded(200));
    saveNow(world); // the first save writes the snapshot
    const before = fs.readFileSync(path, 'utf8');
    const snapshotBytes = before.length;

    const changed = world.resource(resource(7).id)!;
    changed.properties.provisioningState = 'Updating';
    world.put(resource(500));
    world.state.batchAccounts.acct!.pools.p1 = pool('p1');
    world.nextId('op');
    saveNow(world);

    const after = fs.readFileSync(path, 'utf8');
    // Appended: what was written stays as it was, byte for byte.
    expect(after.startsWith(before)).toBe(true);
    const grown = after.length - snapshotBytes;
    expect(grown).toBeGreaterThan(0);
    // Two resources and a pool, not the 200 resources of the world.
    expect(grown).toBeLessThan(snapshotBytes / 20);
    expect(World.load(path)).toEqual(JSON.parse(JSON.stringify(world.plain)));
  });

  it('journals deletions of resources and pools', () => {
    const world = new World(new VirtualClock({ speed: 1 }), path, seeded(3));
    world.state.batchAccounts.acct!.pools.p1 = pool('p1');
    saveNow(world);
    delete world.state.resources[resource(1).id.toLowerCase()];
    delete world.state.batchAccounts.acct!.pools.p1;
    saveNow(world);
    const loaded = World.load(path)!;
    expect(Object.keys(loaded.resources)).toHaveLength(2);
    expect(loaded.batchAccounts.acct!.pools).toEqual({});
  });

  it('writes nothing for a save after reads that changed nothing', () => {
    const world = new World(new VirtualClock({ speed: 1 }), path, seeded(3));
    saveNow(world);
    const before = fs.readFileSync(path, 'utf8');
    world.resource(resource(1).id);
    world.children('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute', 'galleries');
    saveNow(world);
    expect(fs.readFileSync(path, 'utf8')).toBe(before);
  });

  it('rewrites one snapshot once the journal outgrows the world', () => {
    const world = new World(new VirtualClock({ speed: 1 }), path, seeded(2));
    saveNow(world);
    for (let i = 0; i < 1200; i++) {
      world.resource(resource(0).id)!.properties.n = i;
      saveNow(world);
    }
    const lines = fs.readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(1200);
    expect(World.load(path)!.resources[resource(0).id.toLowerCase()]!.properties.n).toBe(1199);
  });
});

describe('simulator state journal, read back', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(join(tmpdir(), 'bif-world-journal-'));
    path = join(dir, 'world.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const saveNow = (world: World) => {
    world.changed();
    world.save();
  };

  it('skips a journal line torn by a kill mid-append: that write was never acknowledged', () => {
    const world = new World(new VirtualClock({ speed: 1 }), path, seeded(2));
    saveNow(world);
    world.resource(resource(0).id)!.properties.n = 1;
    saveNow(world);
    fs.appendFileSync(path, '{"c":"resource","k":"/subscriptions/s/resourcegrou');
    expect(World.load(path)!.resources[resource(0).id.toLowerCase()]!.properties.n).toBe(1);
  });

  it('reads a whole-world file written by POST /_sim/save (a snapshot with no journal)', () => {
    fs.writeFileSync(path, JSON.stringify(seeded(4)));
    expect(Object.keys(World.load(path)!.resources)).toHaveLength(4);
  });

  it('replacing the whole state is saved as a snapshot', () => {
    const world = new World(new VirtualClock({ speed: 1 }), path, seeded(2));
    saveNow(world);
    world.state = seeded(5);
    saveNow(world);
    expect(Object.keys(World.load(path)!.resources)).toHaveLength(5);
  });
});

describe('where simulated time stood, from the simulator state file', () => {
  it('reads the last save of a journal, not only its snapshot line', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'bif-world-time-'));
    try {
      const files = worldFiles(dir);
      // Real time stands still, so the saved instant is exactly what the clock reads.
      const clock = new VirtualClock({ speed: 1, startSimMs: 1_000_000 }, () => 0);
      const world = new World(clock, files.simulatorState, seeded(2));
      world.changed();
      world.save();
      clock.advance(3_600_000);
      world.resource(resource(0).id)!.properties.n = 1;
      world.changed();
      world.save();
      expect(lastSimTime(dir)).toBe(1_000_000 + 3_600_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('simulator state journal, list pages', () => {
  it('a page of a long list takes out only its own resources: a save then serialises ten, not all', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'bif-world-list-'));
    try {
      const state = seeded(200);
      state.subscriptions.s!.resourceGroups.rg = { name: 'rg', location: 'westeurope' };
      const world = new World(new VirtualClock({ speed: 1 }), join(dir, 'world.json'), state);
      world.changed();
      world.save(); // the snapshot
      const url = new URL(
        'https://sim/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries?api-version=2025-03-03',
      );
      const answer = serveArm(
        world,
        {
          method: 'GET',
          url,
          segments: url.pathname.split('/').filter(Boolean),
          headers: {},
          body: undefined,
          rawBody: '',
        },
        { origin: 'https://sim', pageSize: 10, timing: {}, retryAfterSeconds: () => '1' },
      );
      expect(answer.status).toBe(200);
      const body = answer.body as { value: unknown[]; nextLink?: string };
      expect(body.value).toHaveLength(10);
      expect(new URL(body.nextLink!).searchParams.get('$skiptoken')).toBe('10');
      const stringify = jest.spyOn(JSON, 'stringify');
      try {
        world.changed();
        world.save();
        // Each entry a request took out is serialised to see whether it changed; before, a list took
        // out every resource of the group on every page (200 here, hundreds of snapshots in the bench).
        expect(stringify.mock.calls.length).toBeLessThan(30);
      } finally {
        stringify.mockRestore();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
