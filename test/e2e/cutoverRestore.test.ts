import {
  DSV5_FAMILY,
  cutoverRequest as request,
  cutoverSteps,
  startWeuCutoverWorld,
} from '../helpers/weuCutover';
import type { TestWorld } from '../helpers/world';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { changeQuotas } from '../../src/local/simulator/batch/coreQuotas';
import { shrinkMarkerOf, type Metadata } from '../../src/domain/cutover/shrinkMarker';

jest.setTimeout(120_000);

/**
 * The two safety gaps issue #13 left in shrink-old-first, end to end with the real SDK clients against
 * the simulator (one world for the file). The West Europe account's standardDSv5Family quota (120 cores)
 * holds one 20-node D4s_v5 pool (80 cores) but not two, so a successor of `rs-old` is planned
 * shrink-old-first: `rs-old` shrinks to 10 nodes first.
 * 1. The new pool then fails at allocation or its PUT is refused: `rs-old` gets its 20 nodes back.
 * 2. The quota is lowered between submission and the region's pool start: the region plans again and
 *    shrinks first (or refuses) instead of meeting AccountCoreQuotaReached half-way.
 */

let world: TestWorld;
beforeAll(async () => {
  world = await startWeuCutoverWorld();
  expect((await run(request('rs-old', { poolId: 'rs-old' }))).runtimeStatus).toBe('Completed');
  await eventsOf('rs-old');
});
afterAll(() => world?.stop());

const { run, eventsOf, account } = cutoverSteps(() => world);
const familyQuota = (coreQuota: number) =>
  changeQuotas(account(), { dedicatedCoreQuotaPerVMFamily: [{ name: DSV5_FAMILY, coreQuota }] });
/** A simulated pool's metadata list, as Batch keeps it. */
const metadataOf = (pool: string) => account().pools[pool]!.spec.metadata as Metadata | undefined;
const writesTo = (pool: string, since: number) =>
  world.simulator.recorder
    .since(since)
    .filter((r) => r.method !== 'GET' && r.path.includes(`/pools/${pool}`));

/** The new pool's allocation fails once, half-way to its target (AllocationFailed). */
const failAllocationOnce = (poolId: string, message: string) =>
  world.simulator.addFault({
    kind: 'poolAllocationFail',
    poolId,
    code: 'AllocationFailed',
    message,
    atFraction: 0.5,
    times: 1,
  });

/** rs-old back at 20 nodes, steady, with no resize error: the capacity the cluster had before. */
function expectRestored(poolId = 'rs-old') {
  const old = account().pools[poolId]!;
  expect(old.deletingAtSimMs).toBeUndefined();
  expect(old.resize).toMatchObject({ fromDedicated: 10, toDedicated: 20 });
  expect(old.resize.error).toBeUndefined();
}

describe('a new pool that fails after its old pool was shrunk for it', () => {
  it('gives the old pool its targets back when the new pool fails at allocation (deleted first)', async () => {
    const since = world.simulator.recorder.lastSeq;
    failAllocationOnce('rs-alloc', 'Allocation failed as subnet has no capacity');
    const status = await run(request('rs-alloc', { poolId: 'rs-alloc', replaces: 'rs-old' }));
    expect(status.runtimeStatus).toBe('Failed');
    const events = await eventsOf('rs-alloc');
    const types = events.map((e) => e.type.replace('BatchImageFactory.', ''));
    expect(types).toEqual(
      expect.arrayContaining(['Pool.ShrunkForCutover', 'Pool.Failed', 'Pool.RolledBack']),
    );
    // Read back until steady: the nodes it reached, not just the accepted PATCH.
    const restored = {
      poolId: 'rs-old',
      toDedicatedNodes: 20,
      toLowPriorityNodes: 0,
      allocationState: 'steady',
      currentDedicatedNodes: 20,
      resizeErrors: [],
    };
    const failed = events.find((e) => e.type.endsWith('Pool.Failed')).data;
    expect(failed).toMatchObject({
      poolId: 'rs-alloc',
      disposition: 'rolled-back',
      oldPoolOutcome: 'resized-back',
      restoredOldPool: restored,
      resizeErrors: [expect.objectContaining({ code: 'AllocationFailed' })],
    });
    expect(failed.fix).toMatch(
      /deleted .* rs-old, shrunk for this cutover.*, was resized back to 20 dedicated \+ 0 low-priority nodes/,
    );
    expect(events.find((e) => e.type.endsWith('Pool.RolledBack')).data).toMatchObject({
      keptPool: 'rs-old',
      restoredOldPool: restored,
    });
    // The new pool's cores were released before rs-old grew back: no quota error on the way up.
    expectRestored();
    const fresh = account().pools['rs-alloc'];
    expect(fresh === undefined || fresh.deletingAtSimMs !== undefined).toBe(true);
    reportRequests('allocation failed, restored', ['rs-old', 'rs-alloc'], since);
  });

  it('gives the old pool its targets back at once when the new pool’s PUT is refused', async () => {
    const since = world.simulator.recorder.lastSeq;
    world.simulator.addFault({
      kind: 'status',
      service: 'arm',
      method: 'PUT',
      pathContains: '/pools/rs-put',
      status: 400,
      code: 'InvalidRequestBody',
      message: 'The value provided for one of the properties in the request body is invalid.',
      times: 1,
    });
    const status = await run(request('rs-put', { poolId: 'rs-put', replaces: 'rs-old' }));
    expect(status.runtimeStatus).toBe('Failed');
    const events = await eventsOf('rs-put');
    const failed = events.find((e) => e.type.endsWith('Pool.Failed')).data;
    expect(failed).toMatchObject({
      poolId: 'rs-put',
      restoredOldPool: { poolId: 'rs-old', toDedicatedNodes: 20, toLowPriorityNodes: 0 },
    });
    expect(failed.disposition).toBeUndefined();
    expect(failed.fix).toMatch(
      /No pool was created and rs-old, shrunk for this cutover.*, was resized back to 20 dedicated/,
    );
    // Shrunk once, grown back once: two PATCHes, and no delete of a pool that was never made.
    expect(writesTo('rs-old', since).map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
    expect(writesTo('rs-put', since).map((r) => r.method)).toEqual(['PUT']);
    expectRestored();
    reportRequests('PUT refused, restored', ['rs-old', 'rs-put'], since);
  });
});

describe('kill -9 during the restore', () => {
  it('resizes the old pool back exactly once when the host dies with the restore in flight', async () => {
    const since = world.simulator.recorder.lastSeq;
    failAllocationOnce('rs-kill', 'Allocation failed');
    await world.enqueue(JSON.stringify(request('rs-kill', { poolId: 'rs-kill', replaces: 'rs-old' })));
    // Once the failed pool's delete is sent, the restore's PATCH is throttled: the host dies waiting on it.
    await until(() => writesTo('rs-kill', since).some((r) => r.method === 'DELETE'));
    world.simulator.addFault({
      kind: 'throttle',
      method: 'PATCH',
      pathContains: '/pools/rs-old',
      retryAfterSeconds: 3,
      times: 1,
    });
    await until(() => writesTo('rs-old', since).some((r) => r.method === 'PATCH' && r.status === 429));
    await world.killHost();
    await world.startHost();
    const status = await world.waitForStatus(pipelineInstanceId('rs-kill'), ['Completed', 'Failed'], 100_000);
    expect(status.runtimeStatus).toBe('Failed');
    // The shrink and the restore, each applied once: the restart read the pool before it resized.
    const applied = writesTo('rs-old', since).filter((r) => r.method === 'PATCH' && r.status < 300);
    expect(applied).toHaveLength(2);
    expect(writesTo('rs-old', since).filter((r) => r.method === 'PATCH')).toHaveLength(3);
    expectRestored();
    const events = await eventsOf('rs-kill');
    const failed = events.filter((e) => e.type.endsWith('Pool.Failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0].data.restoredOldPool).toMatchObject({
      poolId: 'rs-old',
      toDedicatedNodes: 20,
      toLowPriorityNodes: 0,
      currentDedicatedNodes: 20,
    });
  });
});

describe('terminated after the shrink, then resubmitted', () => {
  it('gives the old pool the targets it had before the FIRST run shrank it when the resubmit’s pool fails', async () => {
    const since = world.simulator.recorder.lastSeq;
    const input = request('rs-term', { poolId: 'rs-term', replaces: 'rs-old' });
    await world.enqueue(JSON.stringify(input));
    await until(() => writesTo('rs-old', since).some((r) => r.method === 'PATCH' && r.status < 300));
    // The shrink's facts are on the pool itself, beside nothing else lost.
    expect(shrinkMarkerOf(metadataOf('rs-old'))).toMatchObject({
      requestId: 'rs-term',
      fromDedicated: 20,
      toDedicated: 10,
    });
    const id = pipelineInstanceId('rs-term');
    // Terminating an orchestration does not terminate its sub-orchestrations (Durable Functions): the
    // region child would go on creating rs-term beside the resubmitted run, and win or lose the race for
    // the fault below with the machine's load. Terminate it too, as an operator stopping a build does.
    const parent = await world.getJson(`/runtime/webhooks/durabletask/instances/${id}`);
    const children: string[] = parent.body?.customStatus?.regionInstances ?? [];
    expect(children.length).toBeGreaterThan(0);
    for (const instance of [...children, id]) {
      const path = `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instance)}/terminate?reason=test`;
      expect((await world.postJson(path, '')).status).toBe(202);
      await world.waitForStatus(instance, ['Terminated']);
    }
    world.simulator.addFault({
      kind: 'poolAllocationFail',
      poolId: 'rs-term',
      code: 'AllocationFailed',
      message: 'Allocation failed',
      atFraction: 0.5,
      times: 1,
    });
    // The restarted run reads rs-old at 10 nodes: only its marker says it held 20.
    await world.enqueue(JSON.stringify(input));
    const status = await world.waitForStatus(id, ['Completed', 'Failed'], 100_000);
    expect(status.runtimeStatus).toBe('Failed');
    expectRestored();
    expect(shrinkMarkerOf(metadataOf('rs-old'))).toBeUndefined();
    const events = await eventsOf('rs-term');
    // The first run was terminated before its event: the restarted run, which read 10, says it held 20.
    const shrunk = events.filter((e) => e.type.endsWith('Pool.ShrunkForCutover'));
    expect(shrunk.map((e) => e.data.fromDedicatedNodes)).toEqual([20]);
    const failed = events.filter((e) => e.type.endsWith('Pool.Failed'));
    expect(failed.at(-1).data).toMatchObject({
      oldPoolOutcome: 'resized-back',
      restoredOldPool: { poolId: 'rs-old', toDedicatedNodes: 20, currentDedicatedNodes: 20 },
    });
  });
});

describe('capacity checked again when the region’s pools start', () => {
  /** Submits, lowers the family quota once preflight has listed the pools, and waits for the end. */
  async function lowerQuotaMidRun(input: Record<string, any>) {
    familyQuota(200);
    const since = world.simulator.recorder.lastSeq;
    await world.enqueue(JSON.stringify(input));
    await until(() =>
      world.simulator.recorder
        .since(since)
        .some((r) => r.service === 'batch' && r.method === 'GET' && /\/pools(\?|$)/.test(r.path)),
    );
    // Preflight saw 200 cores (blue/green fits: 80 + 80); the region's pools start with 120.
    familyQuota(120);
    return world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 100_000);
  }

  it('turns blue/green into shrink-old-first when the quota was lowered since submission', async () => {
    const since = world.simulator.recorder.lastSeq;
    const status = await lowerQuotaMidRun(request('rs-lower', { poolId: 'rs-lower', replaces: 'rs-old' }));
    expect(status.runtimeStatus).toBe('Completed');
    const fresh = account().pools['rs-lower']!;
    expect(fresh.resize).toMatchObject({ toDedicated: 20 });
    expect(fresh.resize.error).toBeUndefined();
    // The plan at submission was blue/green; the region's line says what it did instead.
    const view = await world.getJson('/api/builds/rs-lower');
    expect(view.body.pipeline.pools[0].cutover).toBeUndefined();
    expect(view.body.regions[0].pools[0].cutover).toMatch(/shrink-old-first: rs-old to 10\+0 nodes first/);
    const types = (await eventsOf('rs-lower')).map((e) => e.type.replace('BatchImageFactory.', ''));
    expect(types).toEqual(
      expect.arrayContaining([
        'Pool.CutoverReplanned',
        'Pool.ShrunkForCutover',
        'Pool.Ready',
        'Pool.Retired',
      ]),
    );
    // Said before the old pool was shrunk.
    expect(types.indexOf('Pool.CutoverReplanned')).toBeLessThan(types.indexOf('Pool.ShrunkForCutover'));
    expect(view.body.regions[0].pools[0].cutover).toMatch(/re-planned, was blue\/green/);
    // One more account GET and pool list than preflight's: the re-check reads each once.
    const reads = world.simulator.recorder
      .since(since)
      .filter(
        (r) =>
          r.method === 'GET' && (/batchAccounts\/batchrenderweu\?/.test(r.path) || /\/pools\?/.test(r.path)),
      );
    expect(reads.length).toBeGreaterThanOrEqual(4);
    reportRequests('quota lowered, re-planned', ['rs-old', 'rs-lower'], since);
  });

  it('refuses the pool before creating anything when the request says "refuse"', async () => {
    const since = world.simulator.recorder.lastSeq;
    const input = request(
      'rs-refuse',
      { poolId: 'rs-refuse', replaces: 'rs-lower' },
      { onInsufficientQuota: 'refuse' },
    );
    const status = await lowerQuotaMidRun(input);
    expect(status.runtimeStatus).toBe('Failed');
    const failed = (await eventsOf('rs-refuse')).find((e) => e.type.endsWith('Pool.Failed')).data;
    expect(failed.reason).toMatch(
      /capacity checked again .* does not fit Batch account batchrenderweu's core quota .*40 standardDSv5Family cores missing.*quota increase/,
    );
    expect(failed.fix).toMatch(/rs-refuse was not created, and rs-lower was left as it is/);
    expect(writesTo('rs-refuse', since)).toEqual([]);
    expect(writesTo('rs-lower', since)).toEqual([]);
    expect(account().pools['rs-lower']!.resize.toDedicated).toBe(20);
  });
});

async function until(check: () => boolean, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The requests a run sent about these pools and the capacity reads, from the simulator's record (BIF_REPORT_REQUESTS=1). */
function reportRequests(label: string, pools: string[], since: number) {
  if (!process.env.BIF_REPORT_REQUESTS) return;
  const rows = world.simulator.recorder
    .since(since)
    .filter(
      (r) =>
        pools.some((p) => r.path.includes(`/pools/${p}`)) || /batchAccounts\/[^/]+\?|\/pools\?/.test(r.path),
    )
    .map((r) => `${r.service} ${r.method} ${r.path.replace(/\?.*/, '').split('/').slice(-2).join('/')}`);
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row] = (counts[row] ?? 0) + 1;
  process.stdout.write(`${label}: ${JSON.stringify(counts, null, 1)}\n`);
}
