import { regionRollout } from '../../../../src/orchestrators/regionRollout';
import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  type PoolRollout,
  type RegionOutcome,
  type RegionRolloutInput,
} from '../../../../src/domain/pipeline';
import type { CapacityFacts, CutoverPlan } from '../../../../src/domain/cutover/capacity';
import { VERSION, accountIn, permanent, published, replay, type World } from './replayer';

/**
 * Shrink-old-first's decision points, replayed through the durable-functions engine: what a new pool
 * that ends before cutover does to the old pool it shrank, and what the region's capacity re-check
 * does to the plan made at submission.
 */
const ACCOUNT = accountIn('westeurope');
const SHRINK: CutoverPlan = {
  strategy: 'shrink-old-first',
  shrinkOld: { poolId: 'old', toDedicated: 10, toLowPriority: 0, fromDedicated: 20, fromLowPriority: 0 },
  missingCores: { standardDSv5Family: 40 },
};

const pool = (cutover?: CutoverPlan): PoolRollout => ({
  poolId: 'p1',
  account: ACCOUNT,
  replaces: 'old',
  spec: {
    poolId: 'p1',
    vmSize: 'standard_d4s_v5',
    imageVersionId: VERSION,
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: 20,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
  },
  ...(cutover ? { cutover } : {}),
});

const input = (p: PoolRollout, extra: Partial<RegionRolloutInput> = {}): RegionRolloutInput => ({
  requestId: 'req-1',
  ownerInstanceId: 'pipeline-1',
  ownerExecution: '20261129T000000000Z',
  versionId: VERSION,
  region: 'westeurope',
  targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
  pools: [p],
  settings: DEFAULT_ORCHESTRATION_SETTINGS,
  ...extra,
});

const steady = (nodes: number, resizeErrors: { code: string; message: string }[] = []) => ({
  allocationState: 'steady',
  currentDedicatedNodes: nodes,
  currentLowPriorityNodes: 0,
  targetDedicatedNodes: nodes,
  targetLowPriorityNodes: 0,
  resizeErrors,
});

/** The old pool (80 family cores of 120) beside which p1 (another 80) is planned. */
const facts = (familyQuota: number): CapacityFacts => ({
  [ACCOUNT.id.toLowerCase()]: {
    quotas: {
      dedicatedCoreQuota: 10_000,
      lowPriorityCoreQuota: 0,
      perFamily: { standardDSv5Family: familyQuota },
      perFamilyEnforced: true,
    },
    pools: [
      {
        poolId: 'old',
        vmSize: 'standard_d4s_v5',
        currentDedicatedNodes: 20,
        targetDedicatedNodes: 20,
        currentLowPriorityNodes: 0,
        targetLowPriorityNodes: 0,
      },
    ],
  },
});

/** Replication done; the old pool shrinks at once; p1 reads as `created`/`reading` say until deleted. */
interface Script {
  create?: unknown;
  reading?: unknown;
  facts?: CapacityFacts;
  /** restoreShrunkPool's answers before 'restored' (default none). */
  restores?: unknown[];
  /** p1's reads in order, before `reading` takes over (a failed read, then the pool). */
  readings?: unknown[];
  /** The old pool once resized back (default: steady at 20). */
  oldAfterRestore?: unknown;
  unusable?: number;
}

/** The version, replicated to the region: the rollout goes on to the pools. */
const replicated = () => ({
  id: VERSION,
  provisioningState: 'Succeeded',
  regions: [{ region: 'westeurope', state: 'Completed', progress: 100 }],
  targetRegions: [],
  tags: {},
});

function world(p1: Script = {}): World {
  let deleted = false;
  const restores = [...(p1.restores ?? [])];
  const readings = [...(p1.readings ?? [])];
  let restored = false;
  let drained = false;
  return {
    activity(name, a) {
      if (name === 'getReplication') return replicated();
      if (name === 'readCapacityFacts') return p1.facts ?? {};
      if (name === 'shrinkPool') return 'shrinking';
      if (name === 'restoreShrunkPool') {
        const answer = restores.shift() ?? 'restored';
        if (answer === 'restored') restored = true;
        return answer;
      }
      if (name === 'createPool') return p1.create ?? 'created';
      if (name === 'deletePool') {
        if (a.poolId === 'p1') deleted = true;
        return null;
      }
      // Retirement of the old pool once p1 is ready: no work to move, drained at once.
      if (name === 'listPoolWork') return { schedules: [], jobs: [], skipped: { schedules: [], jobs: [] } };
      if (name === 'moveSchedules') return { moved: [], skipped: [] };
      if (name === 'drainPool') {
        drained = true;
        return 'draining';
      }
      if (name === 'getPool') {
        if (a.poolId === 'old')
          return restored ? (p1.oldAfterRestore ?? steady(20)) : steady(drained ? 0 : 10);
        if (deleted) return null;
        return readings.length ? readings.shift() : (p1.reading ?? steady(20));
      }
      if (name === 'countPoolNodes')
        return a.poolIds.map((poolId: string) => {
          const bad = p1.unusable ?? 0;
          return { poolId, counts: { idle: 20 - bad, unusable: bad }, total: 20 };
        });
      if (name === 'readNodeErrors') return [];
      if (name === 'publishEvents') return { ids: [] };
      throw new Error(`unexpected activity ${name}`);
    },
  };
}

/** p1 and p2, each shrinking its own old pool (old, old2) first. */
function twoPools(): PoolRollout[] {
  const shrink = SHRINK as Extract<CutoverPlan, { strategy: 'shrink-old-first' }>;
  const second = pool({ ...shrink, shrinkOld: { ...shrink.shrinkOld, poolId: 'old2' } });
  return [
    pool(SHRINK),
    { ...second, poolId: 'p2', replaces: 'old2', spec: { ...second.spec, poolId: 'p2' } },
  ];
}

/** Both new pools unreadable (the region fails late); p1's old pool comes back, restoring old2 fails. */
function twoPoolWorld(): World {
  const deleted = new Set<string>();
  let restored = false;
  const unreadable = permanent('AuthorizationFailed', 'The client may not read the pool.');
  return {
    activity(name, a) {
      if (name === 'getReplication') return replicated();
      if (name === 'shrinkPool') return a.map ? a.map(() => 'shrinking') : 'shrinking';
      if (name === 'createPool') return 'created';
      if (name === 'deletePool') return deleted.add(a.poolId) && null;
      if (name === 'restoreShrunkPool') {
        if (a.poolId === 'old2') return permanent('ServerError', 'Batch is down');
        restored = true;
        return 'restored';
      }
      if (name === 'getPool') {
        if (a.poolId === 'old') return steady(restored ? 20 : 10);
        if (a.poolId === 'old2') return steady(10);
        return deleted.has(a.poolId) ? null : unreadable;
      }
      if (name === 'publishEvents') return { ids: [] };
      throw new Error(`unexpected activity ${name}`);
    },
  };
}

const names = (run: Awaited<ReturnType<typeof replay>>) =>
  run.calls
    .map((c) => `${c.name} ${c.input.poolId ?? c.input.spec?.poolId ?? ''}`.trim())
    .filter((c) => !/^(getReplication|publishEvents|countPoolNodes)/.test(c));
const eventsOf = (run: Awaited<ReturnType<typeof replay>>) =>
  published(run).map((e) => `${e.type.replace('BatchImageFactory.', '')} ${e.data.poolId ?? ''}`.trim());

/** p1 shrank old, was created, failed: deleted and waited for until gone, then old resized back. */
const DELETED_THEN_RESTORED = [
  'shrinkPool old',
  'getPool old',
  'createPool p1',
  'getPool p1',
  'deletePool p1',
  'getPool p1',
  'restoreShrunkPool old',
  'getPool old',
];

describe('a new pool that ends before cutover, after its old pool was shrunk for it', () => {
  it('allocation failed: deletes the new pool, waits until it is gone, then restores the old one', async () => {
    const failed = steady(12, [{ code: 'AccountCoreQuotaReached', message: 'quota' }]);
    const run = await replay(regionRollout, input(pool(SHRINK)), world({ reading: failed }));
    expect(run.done).toBe(true);
    expect(names(run)).toEqual(DELETED_THEN_RESTORED);
    expect(run.calls.find((c) => c.name === 'restoreShrunkPool')!.input).toMatchObject({
      poolId: 'old',
      toDedicated: 20,
      toLowPriority: 0,
    });
    expect(eventsOf(run)).toEqual([
      'Region.Replicated',
      'Pool.ShrunkForCutover old',
      'Pool.Failed p1',
      'Pool.RolledBack p1',
    ]);
    const [poolFailed, rolledBack] = published(run).slice(-2);
    const restored = { poolId: 'old', toDedicatedNodes: 20, toLowPriorityNodes: 0 };
    expect(poolFailed!.data).toMatchObject({ disposition: 'rolled-back', restoredOldPool: restored });
    expect(poolFailed!.data.fix).toMatch(
      /The pool was deleted .* old, shrunk for this cutover, was resized back to 20 dedicated/,
    );
    expect(rolledBack!.data).toMatchObject({ keptPool: 'old', restoredOldPool: restored });
    expect((run.output as RegionOutcome).pools).toEqual([
      expect.objectContaining({ poolId: 'p1', state: 'failed', reason: 'AccountCoreQuotaReached: quota' }),
    ]);
  });

  it('PUT refused: no pool to delete or wait for, the old pool is restored at once', async () => {
    const refused = permanent('PoolQuotaReached', 'The specified account has reached its pool quota.');
    const run = await replay(regionRollout, input(pool(SHRINK)), world({ create: refused }));
    expect(names(run)).toEqual([
      'shrinkPool old',
      'getPool old',
      'createPool p1',
      'restoreShrunkPool old',
      'getPool old',
    ]);
    const poolFailed = published(run).at(-1)!;
    expect(poolFailed.type).toBe('BatchImageFactory.Pool.Failed');
    expect(poolFailed.data.disposition).toBeUndefined();
    expect(poolFailed.data.restoredOldPool).toEqual({
      poolId: 'old',
      toDedicatedNodes: 20,
      toLowPriorityNodes: 0,
      stoppedShrink: false,
      allocationState: 'steady',
      currentDedicatedNodes: 20,
      currentLowPriorityNodes: 0,
      resizeErrors: [],
    });
    expect(poolFailed.data.oldPoolOutcome).toBe('resized-back');
    expect(poolFailed.data.fix).toMatch(
      /^No pool was created and old, shrunk for this cutover, was resized back to 20 dedicated \+ 0 low-priority nodes, .* now steady with 20 \+ 0/,
    );
  });

  it('asks again while the old pool still resizes (Batch resizes a steady pool only), then restores it', async () => {
    const refused = permanent('InvalidRequestBody', 'refused');
    const run = await replay(
      regionRollout,
      input(pool(SHRINK)),
      world({ create: refused, restores: ['busy', 'busy'] }),
    );
    const restores = run.calls.filter((c) => c.name === 'restoreShrunkPool');
    expect(restores).toHaveLength(3);
    expect(restores[1]!.atMs).toBeGreaterThan(restores[0]!.atMs);
    expect(published(run).at(-1)!.data.restoredOldPool).toMatchObject({
      poolId: 'old',
      toDedicatedNodes: 20,
    });
  });

  it('says so when the old pool is still resizing at the deadline: nothing restored, the fix names stop-resize and the targets', async () => {
    const refused = permanent('InvalidRequestBody', 'refused');
    const busy = Array(1_000).fill('busy');
    const run = await replay(regionRollout, input(pool(SHRINK)), world({ create: refused, restores: busy }));
    const poolFailed = published(run).at(-1)!.data;
    expect(poolFailed.restoredOldPool).toBeUndefined();
    expect(poolFailed.oldPoolOutcome).toBe('left-shrunk');
    expect(poolFailed.fix).toMatch(
      /old, shrunk for this cutover, stays shrunk: .*az batch pool stop-resize --pool-id old.*az batch pool resize --pool-id old --target-dedicated-nodes 20 --target-low-priority-nodes 0/,
    );
  });

  it('stops the old pool’s shrink (taskcompletion may take hours), waits for steady, then resizes it back', async () => {
    const refused = permanent('InvalidRequestBody', 'refused');
    const run = await replay(
      regionRollout,
      input(pool(SHRINK)),
      world({ create: refused, restores: ['stopped', 'busy'] }),
    );
    expect(run.calls.filter((c) => c.name === 'restoreShrunkPool')).toHaveLength(3);
    const poolFailed = published(run).at(-1)!.data;
    expect(poolFailed.restoredOldPool).toMatchObject({ stoppedShrink: true, currentDedicatedNodes: 20 });
    expect(poolFailed.fix).toMatch(/old, shrunk for this cutover \(its shrink stopped\), was resized back/);
  });

  it('reports an old pool that stopped short of its targets (AccountCoreQuotaReached) and says how to finish', async () => {
    const refused = permanent('InvalidRequestBody', 'refused');
    const short = steady(14, [{ code: 'AccountCoreQuotaReached', message: 'quota' }]);
    const run = await replay(
      regionRollout,
      input(pool(SHRINK)),
      world({ create: refused, oldAfterRestore: { ...short, targetDedicatedNodes: 20 } }),
    );
    const poolFailed = published(run).at(-1)!.data;
    expect(poolFailed.oldPoolOutcome).toBe('stopped-short');
    expect(poolFailed.restoredOldPool).toMatchObject({
      currentDedicatedNodes: 14,
      resizeErrors: [{ code: 'AccountCoreQuotaReached' }],
    });
    expect(poolFailed.fix).toMatch(
      /old was asked to resize back to 20 dedicated \+ 0 low-priority nodes but stopped at 14 \+ 0 \(AccountCoreQuotaReached\).*az batch pool resize --pool-id old --target-dedicated-nodes 20/,
    );
  });

  it('a gate failure whose restore cannot finish says so on Pool.RolledBack (the old pool stays shrunk)', async () => {
    const busy = Array(1_000).fill('busy');
    const run = await replay(regionRollout, input(pool(SHRINK)), world({ unusable: 5, restores: busy }));
    const rolledBack = published(run).at(-1)!;
    expect(rolledBack.type).toBe('BatchImageFactory.Pool.RolledBack');
    expect(rolledBack.data.oldPoolOutcome).toBe('left-shrunk');
    expect(rolledBack.data.fix).toMatch(/old, shrunk for this cutover, stays shrunk: .*stop-resize/);
  });

  it('a health-gate failure says the old pool grows back (not "untouched"), and Pool.RolledBack confirms it', async () => {
    const run = await replay(regionRollout, input(pool(SHRINK)), world({ unusable: 5 }));
    const failed = published(run).find((e) => e.type.endsWith('Pool.Failed'))!.data;
    expect(failed.fix).toMatch(
      /pool old keeps serving and, shrunk for this cutover, is resized back to 20 dedicated/,
    );
    expect(published(run).at(-1)!.data).toMatchObject({
      restoredOldPool: { poolId: 'old', toDedicatedNodes: 20 },
    });
  });

  it('an unexpected failure while the new pool allocates ends the region with the same restore', async () => {
    const unreadable = permanent('AuthorizationFailed', 'The client may not read pool p1.');
    const run = await replay(regionRollout, input(pool(SHRINK)), world({ reading: unreadable }));
    expect(names(run)).toEqual(DELETED_THEN_RESTORED);
    expect(eventsOf(run).slice(-2)).toEqual(['Pool.Failed p1', 'Pool.RolledBack p1']);
    expect(published(run).at(-2)!.data).toMatchObject({
      reason: expect.stringMatching(/may not read pool p1/),
      restoredOldPool: { poolId: 'old', toDedicatedNodes: 20 },
    });
  });

  it('a failure before the line says "allocating" still reads the new pool: a PUT whose answer was lost is rolled back', async () => {
    const unreadable = permanent('AuthorizationFailed', 'The client may not read pool p1.');
    // The earlier run's p1 is being replaced (line: creating) when its read fails; it exists in Batch.
    const run = await replay(
      regionRollout,
      input(pool(SHRINK)),
      world({ create: 'replacing', readings: [unreadable, steady(20)] }),
    );
    expect(names(run).slice(2)).toEqual([
      'createPool p1',
      'getPool p1',
      'getPool p1',
      'deletePool p1',
      'getPool p1',
      'restoreShrunkPool old',
      'getPool old',
    ]);
    expect(published(run).at(-2)!.data).toMatchObject({ disposition: 'rolled-back' });
  });

  it('a gate failure whose restore fails outright still ends with Pool.RolledBack saying the old pool stays shrunk', async () => {
    const down = permanent('ServerError', 'Batch is down');
    const run = await replay(regionRollout, input(pool(SHRINK)), world({ unusable: 5, restores: [down] }));
    const rolledBack = published(run).at(-1)!;
    expect(rolledBack.type).toBe('BatchImageFactory.Pool.RolledBack');
    expect(rolledBack.data).toMatchObject({ keptPool: 'old', oldPoolOutcome: 'left-shrunk' });
    expect(rolledBack.data.fix).toMatch(
      /old, shrunk for this cutover, stays shrunk: resizing it back failed/,
    );
  });

  it('a restore that throws for one pool neither contradicts a pool already rolled back nor loses the next pool’s old pool', async () => {
    const run = await replay(regionRollout, input(pool(SHRINK), { pools: twoPools() }), twoPoolWorld());
    const failed = published(run).filter((e) => e.type.endsWith('Pool.Failed'));
    // p1 rolled back and said so once; p2's old pool (old2) could not be restored, and its event says so.
    expect(failed.map((e) => e.data.poolId)).toEqual(['p1', 'p2']);
    expect(failed[0]!.data).toMatchObject({ disposition: 'rolled-back', oldPoolOutcome: 'resized-back' });
    expect(failed[1]!.data).toMatchObject({ oldPoolOutcome: 'left-shrunk', disposition: 'rolled-back' });
    expect(failed[1]!.data.fix).toMatch(
      /old2, shrunk for this cutover, stays shrunk: resizing it back failed \(restoreShrunkPool: Batch is down\).*az batch pool stop-resize --pool-id old2.*--target-dedicated-nodes 20/,
    );
  });

  it('a blue/green pool that fails is kept for inspection, as before: nothing restored', async () => {
    const failed = steady(0, [{ code: 'AllocationFailed', message: 'no capacity' }]);
    const run = await replay(regionRollout, input(pool()), world({ reading: failed }));
    expect(names(run)).toEqual(['createPool p1', 'getPool p1']);
    expect(published(run).at(-1)!.data).toMatchObject({ disposition: 'kept-for-inspection' });
  });
});

/** A blue/green rollout whose region reads `found` when its pools start (the capacity re-check). */
const recheck = (p: PoolRollout, onInsufficientQuota: 'shrink-old-first' | 'refuse', found: CapacityFacts) =>
  replay(
    regionRollout,
    input(p, { capacity: { strategy: 'blue-green', onInsufficientQuota } }),
    world({ facts: found }),
  );

describe('the capacity plan, checked again when the region’s pools start', () => {
  it('turns blue/green into shrink-old-first when the quota no longer fits both pools', async () => {
    const run = await recheck(pool(), 'shrink-old-first', facts(120));
    expect(names(run).slice(0, 3)).toEqual(['readCapacityFacts', 'shrinkPool old', 'getPool old']);
    expect(run.calls.find((c) => c.name === 'readCapacityFacts')!.input).toEqual({
      accounts: [ACCOUNT],
      requestId: 'req-1',
    });
    expect(run.calls.find((c) => c.name === 'shrinkPool')!.input).toMatchObject({ toDedicated: 10 });
    expect((run.output as RegionOutcome).pools[0]).toMatchObject({ state: 'ready' });
    // Said before anything is shrunk: the new plan, the old one, and the figures that decided it.
    expect(eventsOf(run).slice(0, 3)).toEqual([
      'Region.Replicated',
      'Pool.CutoverReplanned p1',
      'Pool.ShrunkForCutover old',
    ]);
    const replanned = published(run)[1]!.data;
    expect(replanned).toMatchObject({
      poolId: 'p1',
      previousPlan: { strategy: 'blue-green' },
      plan: { strategy: 'shrink-old-first', shrinkOld: { poolId: 'old', toDedicated: 10 } },
      missingCores: { standardDSv5Family: 40 },
      quotas: { perFamily: { standardDSv5Family: 120 }, perFamilyEnforced: true },
    });
    expect(replanned.reason).toMatch(/no longer fit side by side .*old shrinks to 10\+0 nodes first/);
    expect(replanned.fix).toMatch(/onInsufficientQuota: "refuse"/);
    const line = JSON.stringify(run.customStatus);
    expect(line).toMatch(/shrink-old-first: old to 10\+0 nodes first .*re-planned, was blue\/green/);
  });

  it('keeps blue/green when it still fits, and drops a shrink that is no longer needed', async () => {
    const run = await recheck(pool(SHRINK), 'shrink-old-first', facts(1000));
    expect(names(run).slice(0, 2)).toEqual(['readCapacityFacts', 'createPool p1']);
    expect(names(run)).not.toContain('shrinkPool old');
    const replanned = published(run).find((e) => e.type.endsWith('Pool.CutoverReplanned'))!.data;
    expect(replanned).toMatchObject({
      previousPlan: { strategy: 'shrink-old-first' },
      plan: { strategy: 'blue-green' },
      missingCores: {},
    });
    expect(replanned.reason).toMatch(/fit side by side now: old is not shrunk/);
    expect(JSON.stringify(run.customStatus)).toMatch(/blue\/green \(re-planned, was shrink-old-first/);
  });

  it('refuses the pool before anything is shrunk or created when the request says "refuse"', async () => {
    const run = await recheck(pool(), 'refuse', facts(120));
    expect(names(run)).toEqual(['readCapacityFacts']);
    const poolFailed = published(run).at(-1)!;
    expect(poolFailed.type).toBe('BatchImageFactory.Pool.Failed');
    expect(poolFailed.data.reason).toMatch(
      /^capacity checked again before creating the pool: Pool p1 .* 40 standardDSv5Family cores missing .*onInsufficientQuota is "refuse"/,
    );
    expect((run.output as RegionOutcome).pools[0]).toMatchObject({ state: 'failed' });
  });

  it('keeps the plan made at submission for an account it cannot read now', async () => {
    const run = await replay(
      regionRollout,
      input(pool(SHRINK), { capacity: { strategy: 'blue-green', onInsufficientQuota: 'shrink-old-first' } }),
      world({ facts: {} }),
    );
    expect(names(run).slice(0, 2)).toEqual(['readCapacityFacts', 'shrinkPool old']);
    expect(eventsOf(run)).not.toContain('Pool.CutoverReplanned p1');
  });

  it('reads nothing for inputs without capacity (follower rollouts, children started before the re-check)', async () => {
    const run = await replay(regionRollout, input(pool()), world());
    expect(names(run)).not.toContain('readCapacityFacts');
  });
});

/** The old pool as the re-check reads it: 10 nodes left by a shrink whose `bif-shrink` marker says 20. */
const shrunkFacts = (by: 'own' | 'ended' | 'busy'): CapacityFacts => {
  const base = facts(1000)[ACCOUNT.id.toLowerCase()]!;
  return {
    [ACCOUNT.id.toLowerCase()]: {
      ...base,
      pools: [
        {
          ...base.pools[0]!,
          currentDedicatedNodes: 10,
          targetDedicatedNodes: 10,
          shrunk: {
            requestId: by === 'own' ? 'req-1' : 'req-a',
            instanceId: by === 'own' ? 'pipeline-1' : 'pipeline-a',
            fromDedicated: 20,
            fromLowPriority: 0,
            by,
          },
        },
      ],
    },
  };
};

describe('the re-check and an old pool a cutover already shrank (bif-shrink marker)', () => {
  const capacity = { strategy: 'blue-green', onInsufficientQuota: 'shrink-old-first' } as const;

  it('neither shrinks nor restores a pool another running build is cutting over: the pool fails, CUTOVER_POOL_BUSY', async () => {
    const run = await replay(
      regionRollout,
      input(pool(SHRINK), { capacity }),
      world({ facts: shrunkFacts('busy') }),
    );
    expect(names(run)).toEqual(['readCapacityFacts']);
    const poolFailed = published(run).at(-1)!;
    expect(poolFailed.type).toBe('BatchImageFactory.Pool.Failed');
    expect(poolFailed.data.reason).toMatch(/old, which pool p1 replaces, is being cut over by build req-a/);
    expect(published(run).map((e) => e.type)).not.toContain('BatchImageFactory.Pool.ShrunkForCutover');
  });

  it('a resubmitted run plans against the pool’s targets before the shrink, and its failure restores them', async () => {
    // The first run was terminated after its shrink: the resubmit's plan from preflight is blue/green.
    const failed = steady(0, [{ code: 'AllocationFailed', message: 'no capacity' }]);
    const run = await replay(
      regionRollout,
      input(pool(), { capacity }),
      world({ facts: shrunkFacts('own'), reading: failed }),
    );
    const restore = run.calls.find((c) => c.name === 'restoreShrunkPool');
    expect(restore?.input).toMatchObject({ poolId: 'old', toDedicated: 20, requestId: 'req-1' });
    const poolFailed = published(run).find((e) => e.type.endsWith('Pool.Failed'))!;
    expect(poolFailed.data.fix).toMatch(/old, shrunk for this cutover, was resized back to 20 dedicated/);
  });
});
