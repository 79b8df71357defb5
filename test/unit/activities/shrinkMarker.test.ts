import { restoreShrunkPool, shrinkPool } from '../../../src/activities/cutover';
import { readCapacityFacts } from '../../../src/activities/capacityFacts';
import { SHRINK_METADATA, shrinkMarkerOf } from '../../../src/domain/cutover/shrinkMarker';
import type { InstancesPort } from '../../../src/ports';
import type { FakeWorld } from '../../helpers/fakes';
import { OLD_POOL_ACCOUNT, worldWithOldPool } from '../../helpers/oldPool';

/**
 * The shrink's facts live on the old pool (`bif-shrink` metadata), so a second build or a restarted run
 * reads the pool's targets from before the shrink instead of the shrunk ones.
 */
const ACCOUNT = OLD_POOL_ACCOUNT;
const OWNERS = [{ name: 'team', value: 'render' }];

async function world(statuses: Record<string, string> = {}) {
  const w = await worldWithOldPool('ho-old');
  const pool = (await w.batch.getPool(ACCOUNT, 'ho-old'))!;
  Object.assign(pool, { allocationState: 'steady', currentDedicatedNodes: 20, metadata: [...OWNERS] });
  const instances = { runtimeStatus: async (id: string) => statuses[id] } as unknown as InstancesPort;
  return { w, s: { ...w.services(), instances }, pool: () => w.batch.getPool(ACCOUNT, 'ho-old') };
}

const shrinkBy = (requestId: string, to = 10) => ({
  account: ACCOUNT,
  poolId: 'ho-old',
  toDedicated: to,
  toLowPriority: 0,
  requestId,
  instanceId: `build-${requestId}`,
});

const restoreBy = (requestId: string, to: number) => ({
  account: ACCOUNT,
  poolId: 'ho-old',
  toDedicated: to,
  toLowPriority: 0,
  requestId,
});

/** The resizes the fake Batch was sent, in order. */
const resizes = (w: FakeWorld) => w.calls.filter((c) => c.startsWith('resizePool'));

describe('the bif-shrink marker', () => {
  it('is written with the resize, next to the owner’s metadata, holding the targets before the shrink', async () => {
    const { s, pool } = await world();
    expect(await shrinkPool(s, shrinkBy('req-a'))).toBe('shrinking');
    const after = (await pool())!;
    expect(after.targetDedicatedNodes).toBe(10);
    expect(after.metadata!.map((m) => m.name)).toEqual(['team', SHRINK_METADATA]);
    expect(shrinkMarkerOf(after.metadata)).toMatchObject({
      requestId: 'req-a',
      instanceId: 'build-req-a',
      fromDedicated: 20,
      toDedicated: 10,
    });
  });

  it('keeps the first shrink’s targets when a restarted run of the same request shrinks again', async () => {
    const { s, pool } = await world();
    await shrinkPool(s, shrinkBy('req-a'));
    (await pool())!.allocationState = 'steady';
    await shrinkPool(s, shrinkBy('req-a', 5));
    expect(shrinkMarkerOf((await pool())!.metadata)).toMatchObject({ fromDedicated: 20, toDedicated: 5 });
  });

  it('stops a second build from shrinking a pool another running build shrank (CUTOVER_POOL_BUSY)', async () => {
    const { s, w } = await world({ 'build-req-a': 'Running' });
    await shrinkPool(s, shrinkBy('req-a'));
    await expect(shrinkPool(s, shrinkBy('req-b', 5))).rejects.toMatchObject({ code: 'CUTOVER_POOL_BUSY' });
    expect(resizes(w)).toEqual(['resizePool ho-old 10/0 taskcompletion']);
  });

  it('a restore never sends targets below the marker’s, and removes the marker with the resize', async () => {
    const { s, w, pool } = await world();
    await shrinkPool(s, shrinkBy('req-a'));
    (await pool())!.allocationState = 'steady';
    // A restarted run planned against the shrunk pool would ask for 10: the pool says 20.
    expect(await restoreShrunkPool(s, restoreBy('req-a', 10))).toBe('restored');
    const after = (await pool())!;
    expect(after.targetDedicatedNodes).toBe(20);
    expect(after.metadata).toEqual(OWNERS);
    expect(resizes(w)).toEqual(['resizePool ho-old 10/0 taskcompletion', 'resizePool ho-old 20/0']);
  });

  it('a restore of a pool already back removes a marker left behind (a crash after the resize)', async () => {
    const { s, pool } = await world();
    await shrinkPool(s, shrinkBy('req-a'));
    Object.assign((await pool())!, { allocationState: 'steady', targetDedicatedNodes: 20 });
    expect(await restoreShrunkPool(s, restoreBy('req-a', 20))).toBe('done');
    expect((await pool())!.metadata).toEqual(OWNERS);
  });

  it('a failing build does not resize back a pool another running build shrank', async () => {
    const { s, w, pool } = await world({ 'build-req-a': 'Running' });
    await shrinkPool(s, shrinkBy('req-a'));
    (await pool())!.allocationState = 'steady';
    await expect(restoreShrunkPool(s, restoreBy('req-b', 10))).rejects.toMatchObject({
      code: 'CUTOVER_POOL_BUSY',
    });
    expect(resizes(w)).toHaveLength(1);
  });

  it('planning reads who shrank the pool: this request, a build that ended, or one still running', async () => {
    const statuses = { 'build-req-a': 'Running', 'build-req-c': 'Terminated' };
    for (const [shrunkBy, asking, by] of [
      ['req-a', 'req-a', 'own'],
      ['req-a', 'req-b', 'busy'],
      ['req-c', 'req-b', 'ended'],
      ['req-gone', 'req-b', 'ended'],
    ] as const) {
      const { s } = await world(statuses);
      await shrinkPool(s, shrinkBy(shrunkBy));
      const facts = await readCapacityFacts(s, { accounts: [ACCOUNT], requestId: asking });
      expect(facts[ACCOUNT.id.toLowerCase()]!.pools[0]).toMatchObject({
        targetDedicatedNodes: 10,
        shrunk: { requestId: shrunkBy, fromDedicated: 20, fromLowPriority: 0, by },
      });
    }
  });
});

describe('the bif-shrink marker against hands on the pool (hostile review)', () => {
  it('a restore never sends a pool someone grew by hand after the shrink below its targets now', async () => {
    const { s, pool } = await world();
    await shrinkPool(s, shrinkBy('req-g'));
    Object.assign((await pool())!, { allocationState: 'steady', targetDedicatedNodes: 25 });
    const restored = await restoreShrunkPool(s, {
      account: ACCOUNT,
      poolId: 'ho-old',
      toDedicated: 20,
      toLowPriority: 0,
      requestId: 'req-g',
    });
    expect(restored).toBe('done');
    expect((await pool())!.targetDedicatedNodes).toBe(25);
    expect(shrinkMarkerOf((await pool())!.metadata)).toBeUndefined();
  });

  it('does not trust a marker a shrink could not have written (huge, or growing)', () => {
    const marker = (fields: Record<string, unknown>) => [
      {
        name: SHRINK_METADATA,
        value: JSON.stringify({
          requestId: 'ghost',
          instanceId: 'bif-ghost',
          fromDedicated: 20,
          fromLowPriority: 0,
          toDedicated: 10,
          toLowPriority: 0,
          at: '2026-01-01T00:00:00Z',
          ...fields,
        }),
      },
    ];
    expect(shrinkMarkerOf(marker({}))).toMatchObject({ fromDedicated: 20 });
    expect(shrinkMarkerOf(marker({ fromDedicated: 1e15 }))).toBeUndefined();
    expect(shrinkMarkerOf(marker({ fromDedicated: 5, toDedicated: 10 }))).toBeUndefined();
  });
});
