import {
  describeCutover,
  planCapacity,
  type AccountCoreQuotas,
  type CapacityFacts,
  type PoolDemand,
  type PoolUsage,
} from '../../../src/domain/cutover/capacity';
import type { CapacityCutover } from '../../../src/domain/cutover/cutoverRequest';
import { vmSizeFacts } from '../../../src/domain/cutover/vmSizes';

/** Capacity during cutover: each branch of the decision flipped once. D4s_v5 = 4 cores, standardDSv5Family. */
const ACCOUNT = {
  id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Batch/batchAccounts/acct',
  endpoint: 'https://acct.westeurope.batch.azure.com',
  region: 'westeurope',
};
const KEY = ACCOUNT.id.toLowerCase();
const quotas = (over: Partial<AccountCoreQuotas> = {}): AccountCoreQuotas => ({
  dedicatedCoreQuota: 1000,
  lowPriorityCoreQuota: 1000,
  perFamily: { standardDSv5Family: 120 },
  perFamilyEnforced: true,
  ...over,
});
const pool = (poolId: string, nodes: number, over: Partial<PoolUsage> = {}): PoolUsage => ({
  poolId,
  vmSize: 'Standard_D4s_v5',
  currentDedicatedNodes: nodes,
  targetDedicatedNodes: nodes,
  currentLowPriorityNodes: 0,
  targetLowPriorityNodes: 0,
  ...over,
});
const demand = (over: Partial<PoolDemand> = {}): PoolDemand => ({
  index: 0,
  poolId: 'new',
  account: ACCOUNT,
  vmSize: 'Standard_D4s_v5',
  dedicatedNodes: 20,
  lowPriorityNodes: 0,
  replaces: 'old',
  ...over,
});
const facts = (q: AccountCoreQuotas | undefined, pools: PoolUsage[]): CapacityFacts => ({
  [KEY]: { ...(q ? { quotas: q } : {}), pools },
});
const plan = (d: PoolDemand, f: CapacityFacts, cutover?: Partial<CapacityCutover>) =>
  planCapacity([d], f, { strategy: 'blue-green', onInsufficientQuota: 'shrink-old-first', ...cutover });

describe('capacity planning: shrink-old-first', () => {
  it('keeps blue/green when old + new fit the family and total quotas', () => {
    const result = plan(
      demand(),
      facts(quotas({ perFamily: { standardDSv5Family: 160 } }), [pool('old', 20)]),
    );
    expect(result).toEqual({ pools: { new: { strategy: 'blue-green' } }, findings: [] });
  });

  it('shrinks the old pool first by what the VM family is missing', () => {
    // 80 held + 80 needed = 160 > 120: 40 cores missing = 10 four-core nodes off the old pool.
    const result = plan(demand(), facts(quotas(), [pool('old', 20)]));
    expect(result.findings).toEqual([]);
    expect(result.pools.new).toEqual({
      strategy: 'shrink-old-first',
      shrinkOld: { poolId: 'old', toDedicated: 10, toLowPriority: 0, fromDedicated: 20, fromLowPriority: 0 },
      missingCores: { standardDSv5Family: 40 },
    });
    expect(describeCutover(result.pools.new)).toMatch(
      /old to 10\+0 nodes first \(40 standardDSv5Family cores short\)/,
    );
  });

  it('shrinks for the account total when the family is not enforced', () => {
    const q = quotas({ perFamilyEnforced: false, dedicatedCoreQuota: 100 });
    expect(plan(demand(), facts(q, [pool('old', 20)])).pools.new).toMatchObject({
      strategy: 'shrink-old-first',
      shrinkOld: { toDedicated: 5 },
      missingCores: { dedicated: 60 },
    });
  });

  it('shrinks low-priority nodes for the low-priority quota', () => {
    const q = quotas({ lowPriorityCoreQuota: 40, perFamily: { standardDSv5Family: 1000 } });
    const old = pool('old', 0, { currentLowPriorityNodes: 8, targetLowPriorityNodes: 8 });
    const result = plan(demand({ dedicatedNodes: 0, lowPriorityNodes: 8 }), facts(q, [old]));
    expect(result.pools.new).toMatchObject({ shrinkOld: { toDedicated: 0, toLowPriority: 2 } });
  });
});

describe('capacity planning: autoscale and family names', () => {
  it('never shrinks an autoscale old pool (its formula would be lost): a finding with the fixes', () => {
    const result = plan(demand(), facts(quotas(), [pool('old', 20, { autoScale: true })]));
    expect(result.pools.new).toEqual({ strategy: 'blue-green' });
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: 'CUTOVER_QUOTA_INSUFFICIENT',
        message: expect.stringMatching(
          /old is an autoscale pool.*quota increase.*lower the targets of old's autoscale formula/,
        ),
      }),
    ]);
  });

  it('compares VM family names case-insensitively (Azure spells them both ways)', () => {
    const q = quotas({ perFamily: { StandardDSv5Family: 160 } });
    expect(plan(demand(), facts(q, [pool('old', 20)]))).toEqual({
      pools: { new: { strategy: 'blue-green' } },
      findings: [],
    });
    const a100 = { vmSize: 'Standard_NC24ads_A100_v4', dedicatedNodes: 2, replaces: undefined };
    const gpu = quotas({ perFamily: { standardNCADSA100v4Family: 48 } });
    expect(plan(demand(a100), facts(gpu, [])).findings).toEqual([]);
  });
});

describe('capacity planning: pool quota', () => {
  it('counts existing pools plus each new blue/green pool against poolQuota', () => {
    const two = [pool('old', 2), pool('other', 2)];
    expect(plan(demand({ dedicatedNodes: 2 }), facts(quotas({ poolQuota: 3 }), two)).findings).toEqual([]);
    const full = plan(demand({ dedicatedNodes: 2 }), facts(quotas({ poolQuota: 2 }), two));
    expect(full.findings).toEqual([
      expect.objectContaining({
        code: 'CUTOVER_POOL_QUOTA_INSUFFICIENT',
        severity: 'error',
        path: 'pools[0].poolId',
        message: expect.stringMatching(/has 2 pools and a pool quota of 2.*1 too many.*pool quota increase/),
      }),
    ]);
    // In place adds no pool.
    const inPlace = plan(
      demand({ dedicatedNodes: 0 }),
      facts(quotas({ poolQuota: 2 }), [pool('old', 0), pool('other', 2)]),
      {
        strategy: 'auto',
      },
    );
    expect(inPlace.findings).toEqual([]);
  });
});

describe('capacity planning: refusals', () => {
  it('refuses with a finding (code, field, fix) when the request says refuse', () => {
    const result = plan(demand(), facts(quotas(), [pool('old', 20)]), { onInsufficientQuota: 'refuse' });
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: 'CUTOVER_QUOTA_INSUFFICIENT',
        severity: 'error',
        path: 'pools[0].targetDedicatedNodes',
        message: expect.stringMatching(/40 standardDSv5Family cores missing.*"refuse".*quota increase/),
      }),
    ]);
  });

  it('refuses when even the old pool at 0 nodes would not make room', () => {
    const result = plan(demand({ dedicatedNodes: 40 }), facts(quotas(), [pool('old', 20)]));
    expect(result.findings[0]).toMatchObject({
      code: 'CUTOVER_QUOTA_INSUFFICIENT',
      message: expect.stringMatching(/even with old shrunk to 0 nodes/),
    });
  });

  it('refuses when the short family is not the old pool’s (shrinking it frees nothing there)', () => {
    const old = pool('old', 20, { vmSize: 'Standard_D4ds_v5' });
    const q = quotas({ perFamily: { standardDSv5Family: 40, standardDDSv5Family: 400 } });
    expect(plan(demand(), facts(q, [old])).findings[0]?.code).toBe('CUTOVER_QUOTA_INSUFFICIENT');
  });
});

describe('capacity planning: what counts, and in place', () => {
  it('checks nothing for an account that reports no quotas (UserSubscription)', () => {
    expect(plan(demand(), facts(undefined, [pool('old', 20)]))).toEqual({
      pools: { new: { strategy: 'blue-green' } },
      findings: [],
    });
  });

  it('counts a pool at the larger of current and target, and never the build’s own new pool id', () => {
    const growing = pool('other', 5, { targetDedicatedNodes: 10 });
    const own = pool('new', 20);
    const q = quotas({ perFamily: { standardDSv5Family: 120 } });
    // 40 (other, at its target) + 80 (new) = 120: fits exactly; `own` is this build's pool, not extra demand.
    expect(plan(demand({ replaces: undefined }), facts(q, [growing, own])).pools.new).toEqual({
      strategy: 'blue-green',
    });
    const more = pool('other', 5, { targetDedicatedNodes: 11 });
    expect(plan(demand({ replaces: undefined }), facts(q, [more, own])).findings[0]?.message).toMatch(
      /no replaced pool can make room/,
    );
  });

  it('plans in place for "auto" when the replaced pool is empty and the same size', () => {
    const result = plan(demand({ dedicatedNodes: 0 }), facts(quotas(), [pool('old', 0)]), {
      strategy: 'auto',
    });
    expect(result).toEqual({
      pools: { new: { strategy: 'in-place', poolId: 'old', requested: 'auto' } },
      findings: [],
    });
  });

  it('keeps blue/green when in place would not give the request its pool (nodes now, another scale mode)', () => {
    // In place changes only the image: the old pool keeps its scale settings.
    const wantsNodes = plan(demand({ dedicatedNodes: 5 }), facts(quotas(), [pool('old', 0)]), {
      strategy: 'in-place',
    });
    expect(wantsNodes.findings[0]?.message).toMatch(/asks for 5 nodes now/);
    const formula = plan(
      demand({ dedicatedNodes: 0 }),
      facts(quotas(), [pool('old', 0, { autoScale: true })]),
      { strategy: 'auto' },
    );
    expect(formula).toEqual({ pools: { new: { strategy: 'blue-green' } }, findings: [] });
    const both = plan(
      demand({ dedicatedNodes: 0, autoScale: true }),
      facts(quotas(), [pool('old', 0, { autoScale: true })]),
      { strategy: 'auto' },
    );
    expect(both.pools.new).toMatchObject({ strategy: 'in-place' });
  });

  it('falls back to blue/green under "auto" when the replaced pool has nodes', () => {
    const result = plan(demand({ dedicatedNodes: 5 }), facts(quotas(), [pool('old', 5)]), {
      strategy: 'auto',
    });
    expect(result).toEqual({ pools: { new: { strategy: 'blue-green' } }, findings: [] });
  });

  it('refuses "in-place" with a finding when the replaced pool has nodes', () => {
    const result = plan(demand({ dedicatedNodes: 5 }), facts(quotas(), [pool('old', 5)]), {
      strategy: 'in-place',
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: 'CUTOVER_IN_PLACE_NOT_ALLOWED',
        path: 'cutover.strategy',
        message: expect.stringMatching(/has nodes.*"auto"/),
      }),
    ]);
  });

  it('knows the families and vCPUs of the sizes the examples use', () => {
    expect(vmSizeFacts('STANDARD_D4S_V5')).toEqual({ family: 'standardDSv5Family', vCPUs: 4 });
    expect(vmSizeFacts('Standard_HB120rs_v3')?.vCPUs).toBe(120);
    expect(vmSizeFacts('Standard_Unknown')).toBeUndefined();
  });
});

describe('capacity planning: an old pool a cutover already shrank (its bif-shrink marker)', () => {
  const shrunk = (by: 'own' | 'ended' | 'busy') => ({
    requestId: by === 'own' ? 'req-1' : 'req-other',
    instanceId: 'build-x',
    fromDedicated: 20,
    fromLowPriority: 0,
    by,
  });

  it('plans a terminated run’s resubmit with the targets the pool had before the shrink', () => {
    // 10 nodes left after the first run's shrink: old 10 + new 20 fit (120 cores), so nothing more to shrink.
    const result = plan(demand(), facts(quotas(), [pool('old', 10, { shrunk: shrunk('own') })]));
    expect(result.findings).toEqual([]);
    expect(result.pools.new).toEqual({
      strategy: 'shrink-old-first',
      shrinkOld: { poolId: 'old', toDedicated: 10, toLowPriority: 0, fromDedicated: 20, fromLowPriority: 0 },
      missingCores: {},
    });
  });

  it('shrinks further when needed but remembers the targets before the first shrink (a build that ended)', () => {
    const result = plan(
      demand({ dedicatedNodes: 25 }),
      facts(quotas(), [pool('old', 10, { shrunk: shrunk('ended') })]),
    );
    expect(result.pools.new).toMatchObject({
      strategy: 'shrink-old-first',
      shrinkOld: { toDedicated: 5, fromDedicated: 20 },
    });
  });

  it('refuses a pool whose old pool another running build is cutting over (CUTOVER_POOL_BUSY)', () => {
    const result = plan(demand(), facts(quotas(), [pool('old', 10, { shrunk: shrunk('busy') })]));
    expect(result.pools.new).toEqual({ strategy: 'blue-green' });
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: 'CUTOVER_POOL_BUSY',
        severity: 'error',
        path: 'pools[0].replaces',
        message: expect.stringContaining('is being cut over by build req-other'),
      }),
    ]);
  });
});

describe('capacity planning: a bif-shrink marker left behind on a pool grown since', () => {
  it('never plans a restore below the pool’s targets now', () => {
    const stale = {
      requestId: 'req-old',
      instanceId: 'x',
      fromDedicated: 5,
      fromLowPriority: 0,
      by: 'ended' as const,
    };
    const result = plan(
      demand({ dedicatedNodes: 10 }),
      facts(quotas(), [pool('old', 20, { shrunk: stale })]),
    );
    expect(result.pools.new).toMatchObject({ shrinkOld: { fromDedicated: 20, toDedicated: 20 } });
  });
});
