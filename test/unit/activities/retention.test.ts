import { applyRetention } from '../../../src/activities/retention';
import { FakeWorld } from '../../helpers/fakes';

const DEFINITION = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d';
const ACCOUNT = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Batch/batchAccounts/a',
  endpoint: 'https://a',
  region: 'westeurope',
};

function world(): FakeWorld {
  const w = new FakeWorld();
  for (const name of ['1.0.0', '2.0.0']) {
    w.versions.set(`${DEFINITION}/versions/${name}`.toLowerCase(), {
      id: `${DEFINITION}/versions/${name}`,
      name,
      excludeFromLatest: false,
      provisioningState: 'Succeeded',
      targetRegions: [],
      tags: {},
      regions: [],
    });
  }
  w.pools.set(`${ACCOUNT.id}|old`.toLowerCase(), {
    accountId: ACCOUNT.id,
    poolId: 'old',
    state: 'active',
    allocationState: 'steady',
    currentDedicatedNodes: 1,
    currentLowPriorityNodes: 0,
    targetDedicatedNodes: 1,
    targetLowPriorityNodes: 0,
    imageVersionId: `${DEFINITION}/versions/1.0.0`,
    resizeErrors: [],
  });
  return w;
}

describe('applyRetention activity (in-memory ports)', () => {
  it('retires a version still in use by excluding it from latest, and leaves its end-of-life date alone', async () => {
    // Azure wants an end-of-life date in the future ("EndOfLifeDate must be set to a future date"):
    // "now" would be refused, and the date is informational anyway.
    const w = world();
    const actions = await applyRetention(w.services(), {
      definitionId: DEFINITION,
      keepVersions: 1,
      accounts: [ACCOUNT],
    });
    expect(actions.map((a) => a.kind)).toEqual(['keep', 'retire']);
    expect(w.calls.filter((c) => c.startsWith('updateVersionPublishing'))).toEqual([
      'updateVersionPublishing 1.0.0 {"excludeFromLatest":true}',
    ]);
  });

  it('does not write again to a version it already retired', async () => {
    const w = world();
    await applyRetention(w.services(), { definitionId: DEFINITION, keepVersions: 1, accounts: [ACCOUNT] });
    w.calls.length = 0;
    const again = await applyRetention(w.services(), {
      definitionId: DEFINITION,
      keepVersions: 1,
      accounts: [ACCOUNT],
    });
    expect(again[1]).toMatchObject({ kind: 'keep', reason: 'in-use' });
    expect(w.calls.filter((c) => c.startsWith('updateVersionPublishing'))).toEqual([]);
  });
});
