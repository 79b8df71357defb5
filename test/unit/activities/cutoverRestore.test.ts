import { restoreShrunkPool, shrinkPool } from '../../../src/activities/cutover';
import { readCapacityFacts } from '../../../src/activities/capacityFacts';
import { FakeWorld } from '../../helpers/fakes';
import { OLD_POOL_ACCOUNT, worldWithOldPool } from '../../helpers/oldPool';

/**
 * Durable runs an activity at least once: after a kill -9 the shrink and the restore run again. Each
 * decides from what Batch reports, so a re-run never resizes twice.
 */
const ACCOUNT = OLD_POOL_ACCOUNT;

describe('shrink and restore, run again', () => {
  it('resizes the old pool back once, however often the restore runs', async () => {
    const w = await worldWithOldPool('old');
    const shrink = { account: ACCOUNT, poolId: 'old', toDedicated: 10, toLowPriority: 0 };
    const restore = { account: ACCOUNT, poolId: 'old', toDedicated: 20, toLowPriority: 0 };
    expect(await shrinkPool(w.services(), shrink)).toBe('shrinking');
    // Batch resizes a steady pool only, and a taskcompletion shrink may run for hours: it is stopped.
    expect(await restoreShrunkPool(w.services(), restore)).toBe('stopped');
    expect(await restoreShrunkPool(w.services(), restore)).toBe('busy');
    (await w.batch.getPool(ACCOUNT, 'old'))!.allocationState = 'steady';
    expect(await restoreShrunkPool(w.services(), restore)).toBe('restored');
    // The activity ran again after a crash: Batch already reports the targets, nothing is sent.
    expect(await restoreShrunkPool(w.services(), restore)).toBe('done');
    expect(w.calls.filter((c) => /^(resizePool|stopPoolResize)/.test(c))).toEqual([
      'resizePool old 10/0 taskcompletion',
      'stopPoolResize old',
      'resizePool old 20/0',
    ]);
  });

  it('restores nothing when the old pool is gone', async () => {
    const w = new FakeWorld();
    const restore = { account: ACCOUNT, poolId: 'old', toDedicated: 20, toLowPriority: 0 };
    expect(await restoreShrunkPool(w.services(), restore)).toBe('missing');
    expect(w.calls.filter((c) => c.startsWith('resizePool'))).toEqual([]);
  });
});

describe('readCapacityFacts (the region’s re-check)', () => {
  it('reads each account once, however many of the region’s pools are in it', async () => {
    const w = await worldWithOldPool('old');
    const quotas = {
      dedicatedCoreQuota: 100,
      lowPriorityCoreQuota: 0,
      perFamily: {},
      perFamilyEnforced: false,
    };
    w.coreQuotas = quotas;
    let reads = 0;
    const list = w.batch.listPools.bind(w.batch);
    w.batch.listPools = async (account) => {
      reads += 1;
      return list(account);
    };
    const facts = await readCapacityFacts(w.services(), {
      accounts: [ACCOUNT, { ...ACCOUNT, id: ACCOUNT.id.toUpperCase() }],
    });
    expect(reads).toBe(1);
    expect(facts[ACCOUNT.id.toLowerCase()]).toMatchObject({
      quotas,
      pools: [{ poolId: 'old', targetDedicatedNodes: 20, vmSize: 'standard_d4s_v5' }],
    });
  });
});
