import { renderBuild } from '../../../src/cli/progress';
import type { RegionStatus } from '../../../src/orchestrators/regionRollout';

describe('the progress view with bounded statuses', () => {
  it('says how many regions and pools the status does not list', () => {
    const region: RegionStatus = {
      region: 'westeurope',
      stage: 'creating-pools',
      replication: { state: 'Completed', progress: 100, attempts: 1 },
      pools: [{ poolId: 'pool-000', state: 'failed', currentNodes: 0, targetNodes: 10, errors: ['X'] }],
      poolsTotal: 100,
      poolCounts: { failed: 1, ready: 60, allocating: 39 },
      updatedAt: '2026-11-28T00:00:00Z',
    };
    const text = renderBuild({
      instanceId: 'bif-big',
      runtimeStatus: 'Running',
      pipeline: {
        requestId: 'big',
        stage: 'rollout',
        regions: [{ name: 'westeurope', replicaCount: 4, capacity: 1000 }],
        regionsTotal: 61,
        poolsTotal: 100,
      },
      regions: [region],
    });
    expect(text).toMatch(/pool pool-000 .* failed X/);
    expect(text).toMatch(/\+99 more pools \(1 failed, 60 ready, 39 allocating\)/);
    expect(text).toMatch(/\+60 more regions$/);
  });
});
