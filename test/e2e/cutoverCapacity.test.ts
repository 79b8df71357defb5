import { cutoverRequest as request, cutoverSteps, startWeuCutoverWorld } from '../helpers/weuCutover';
import { createdPools, type TestWorld } from '../helpers/world';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { applyResize } from '../../src/local/simulator/batch/poolResize';

jest.setTimeout(120_000);

/**
 * Capacity during cutover, end to end (issue #13 case 6): the West Europe account's standardDSv5Family
 * quota (120 cores) holds one 20-node D4s_v5 pool (80 cores) but not two. A rollout replacing it is
 * planned shrink-old-first and completes: the old pool shrinks to 10 nodes before the new one grows to
 * 20, then is drained and deleted. The simulator fails any allocation past the quota, so a new pool that
 * reached 20 nodes without a resize error proves the quota was never exceeded. A request that says
 * "refuse" is refused with a finding; a zero-node autoscale pool takes a new image in place.
 */
const AT_REST = {
  scaleSettings: { autoScale: { formula: '$TargetDedicatedNodes = 0;', evaluationInterval: 'PT5M' } },
};

let world: TestWorld;
beforeAll(async () => {
  world = await startWeuCutoverWorld();
});
afterAll(() => world?.stop());

const { run, eventsOf, account } = cutoverSteps(() => world);
const armWrites = (pool: string, from: number) =>
  world.simulator.recorder
    .since(0)
    .slice(from)
    .filter((r) => r.service === 'arm' && r.method !== 'GET' && r.path.includes(`/pools/${pool}?`));

it('plans shrink-old-first when old + new pools do not fit the VM family quota, and completes it', async () => {
  expect((await run(request('cap-old', { poolId: 'cap-old' }))).runtimeStatus).toBe('Completed');
  await eventsOf('cap-old');
  // Held now: the simulator drops a deleted pool from its account when the delete's 3 simulated minutes
  // (0.3 s at speed 600) have passed and someone lists the pools, which a busy machine can let happen
  // before the checks below run. The pool's own record still says how it ended.
  const oldPool = account().pools['cap-old']!;
  const from = world.simulator.recorder.since(0).length;

  const status = await run(request('cap-new', { poolId: 'cap-new', replaces: 'cap-old' }));
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toMatchObject({ poolsReady: ['cap-new'], poolsFailed: [] });

  // The plan is in the status.
  const view = await world.getJson('/api/builds/cap-new');
  expect(view.body.pipeline.pools[0].cutover).toMatch(/shrink-old-first: cap-old to 10\+0 nodes first/);

  // The old pool shrank (taskcompletion) before the new one was created, and is gone now.
  const oldWrites = armWrites('cap-old', from);
  const newCreate = armWrites('cap-new', from).find((r) => r.method === 'PUT')!;
  expect(oldWrites[0]).toMatchObject({ method: 'PATCH' });
  expect(oldWrites[0]!.seq).toBeLessThan(newCreate.seq);
  // Drained to 0, then its delete started (the simulator removes it when the delete's time has passed).
  expect(oldPool.deletingAtSimMs).toBeDefined();
  expect(oldPool.resize).toMatchObject({ fromDedicated: 10, toDedicated: 0 });

  // The new pool reached its size with no quota error: old + new never passed 120 cores.
  const fresh = account().pools['cap-new']!;
  expect(fresh.resize).toMatchObject({ toDedicated: 20 });
  expect(fresh.resize.error).toBeUndefined();

  const types = (await eventsOf('cap-new')).map((e) => e.type.replace('BatchImageFactory.', ''));
  expect(types).toEqual(expect.arrayContaining(['Pool.ShrunkForCutover', 'Pool.Ready', 'Pool.Retired']));
  expect(types.indexOf('Pool.ShrunkForCutover')).toBeLessThan(types.indexOf('Pool.Ready'));
  reportRequests('shrink-old-first', 'cap-old', 'cap-new', from);
});

it('refuses with a finding when the request says onInsufficientQuota "refuse"', async () => {
  const input = request(
    'cap-refused',
    { poolId: 'cap-refused', replaces: 'cap-new' },
    { onInsufficientQuota: 'refuse' },
  );
  const status = await run(input);
  expect(status.runtimeStatus).not.toBe('Completed');
  const failed = (await eventsOf('cap-refused')).find((e) => e.type.endsWith('Pipeline.Failed'));
  expect(failed.data.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([
    expect.objectContaining({
      code: 'CUTOVER_QUOTA_INSUFFICIENT',
      path: 'pools[0].targetDedicatedNodes',
      message: expect.stringMatching(/40 standardDSv5Family cores missing/),
    }),
  ]);
  expect(account().pools['cap-refused']).toBeUndefined();
  expect(account().pools['cap-new']!.resize.toDedicated).toBe(20);
});

it('updates a zero-node autoscale pool in place: same pool id, new image, no new pool', async () => {
  const atRest = { poolId: 'cap-auto', targetDedicatedNodes: 0, maxNodes: 10, template: AT_REST };
  expect((await run(request('cap-auto-1', atRest))).runtimeStatus).toBe('Completed');
  await eventsOf('cap-auto-1');
  const before = account().pools['cap-auto']!;
  const oldImage = (before.spec.virtualMachineConfiguration as any).imageReference.virtualMachineImageId;
  const from = world.simulator.recorder.since(0).length;
  const created = createdPools(world.simulator).length;

  const next = { ...atRest, poolId: 'cap-auto-next', replaces: 'cap-auto' };
  const status = await run(request('cap-auto-2', next, { strategy: 'auto' }));
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toMatchObject({ poolsReady: ['cap-auto-next'], poolsFailed: [] });

  const after = account().pools['cap-auto']!;
  const newImage = (after.spec.virtualMachineConfiguration as any).imageReference.virtualMachineImageId;
  expect(newImage).not.toBe(oldImage);
  expect(newImage).toMatch(/\/versions\/\d+\.\d+\.\d+$/);
  expect(after.createdAtSimMs).toBe(before.createdAtSimMs);
  expect(account().pools['cap-auto-next']).toBeUndefined();
  expect(createdPools(world.simulator)).toHaveLength(created);

  const events = await eventsOf('cap-auto-2');
  const updated = events.find((e) => e.type.endsWith('Pool.UpdatedInPlace'));
  expect(updated.data).toMatchObject({
    poolId: 'cap-auto',
    requestedPoolId: 'cap-auto-next',
    imageVersionId: newImage,
  });
  expect(events.some((e) => e.type.endsWith('Pool.Retired'))).toBe(false);
  reportRequests('in-place', 'cap-auto', 'cap-auto-next', from);
});

it('rolls a gate failure after shrink-old-first back: the new pool deleted, the old one at its size again', async () => {
  // cap-new holds 20 of the family's 30 nodes; its successor needs another 20: cap-new shrinks to 10 first.
  world.simulator.addFault({
    kind: 'nodeState',
    poolId: 'cap-rb',
    nodeState: 'unusable',
    share: 0.1,
    code: 'DiskFull',
    message: 'There is not enough disk space on the node',
  });
  const status = await run(request('cap-rb', { poolId: 'cap-rb', replaces: 'cap-new' }));
  expect(status.runtimeStatus).toBe('Failed');
  const events = await eventsOf('cap-rb');
  const types = events.map((e) => e.type.replace('BatchImageFactory.', ''));
  expect(types).toEqual(expect.arrayContaining(['Pool.ShrunkForCutover', 'Pool.RolledBack']));
  const rolledBack = events.find((e) => e.type.endsWith('Pool.RolledBack')).data;
  expect(rolledBack).toMatchObject({
    poolId: 'cap-rb',
    keptPool: 'cap-new',
    restoredOldPool: { poolId: 'cap-new', toDedicatedNodes: 20, toLowPriorityNodes: 0 },
  });
  const old = account().pools['cap-new']!;
  expect(old.deletingAtSimMs).toBeUndefined();
  expect(old.resize).toMatchObject({ fromDedicated: 10, toDedicated: 20 });
  // The deleted pool's nodes were released before the old pool grew back: no quota error.
  expect(old.resize.error).toBeUndefined();
  const fresh = account().pools['cap-rb'];
  expect(fresh === undefined || fresh.deletingAtSimMs !== undefined).toBe(true);
});

it('falls back to blue/green under "auto" when the empty pool planned in place has nodes by update time', async () => {
  const empty = { poolId: 'cap-zero', targetDedicatedNodes: 0 };
  expect((await run(request('cap-zero-1', empty))).runtimeStatus).toBe('Completed');
  await eventsOf('cap-zero-1');
  const since = world.simulator.recorder.lastSeq;
  const next = { ...empty, poolId: 'cap-zero-next', replaces: 'cap-zero' };
  await world.enqueue(JSON.stringify(request('cap-zero-2', next, { strategy: 'auto' })));
  // Planned in place (the preflight listed an empty pool); someone grows it while the image replicates.
  await until(() =>
    world.simulator.recorder
      .since(since)
      .some((r) => r.service === 'batch' && r.method === 'GET' && /\/pools(\?|$)/.test(r.path)),
  );
  const oldPool = account().pools['cap-zero']!;
  const oldImage = imageOf(oldPool);
  applyResize(world.simulator.world, account(), oldPool, { targetDedicatedNodes: 2 });
  const status = await world.waitForStatus(pipelineInstanceId('cap-zero-2'), undefined, 100_000);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toMatchObject({ poolsReady: ['cap-zero-next'], poolsFailed: [] });
  // No image PATCH was sent to the pool with nodes: a new pool was made, the old one retired.
  expect(imageOf(oldPool)).toBe(oldImage);
  expect(account().pools['cap-zero-next']).toBeDefined();
  const types = (await eventsOf('cap-zero-2')).map((e) => e.type.replace('BatchImageFactory.', ''));
  expect(types).not.toContain('Pool.UpdatedInPlace');
  expect(types).toEqual(expect.arrayContaining(['Pool.Ready', 'Pool.Retired']));
});

const imageOf = (pool: { spec: Record<string, any> }) =>
  pool.spec.virtualMachineConfiguration.imageReference.virtualMachineImageId as string;

async function until(check: () => boolean, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The requests these cutovers add per pool, from the simulator's record (printed with BIF_REPORT_REQUESTS=1). */
function reportRequests(label: string, oldPool: string, newPool: string, from: number) {
  if (!process.env.BIF_REPORT_REQUESTS) return;
  const rows = world.simulator.recorder
    .since(0)
    .slice(from)
    .filter(
      (r) =>
        r.path.includes(`/pools/${oldPool}`) ||
        r.path.includes(`/pools/${newPool}`) ||
        /batchAccounts\/[^/]+\?|\/pools\?/.test(r.path),
    )
    .map((r) => `${r.service} ${r.method} ${r.path.replace(/\?.*/, '').split('/').slice(-2).join('/')}`);
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row] = (counts[row] ?? 0) + 1;
  process.stdout.write(`${label}: ${JSON.stringify(counts, null, 1)}\n`);
}
