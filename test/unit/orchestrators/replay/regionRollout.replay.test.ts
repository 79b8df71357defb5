import { regionRollout } from '../../../../src/orchestrators/regionRollout';
import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  type PoolRollout,
  type RegionOutcome,
  type RegionRolloutInput,
} from '../../../../src/domain/pipeline';
import type { PoolStatus } from '../../../../src/ports';
import { VERSION, accountIn, permanent, published, replay, type World } from './replayer';

/**
 * The region rollout's decisions, replayed through the durable-functions engine with a scripted world:
 * when it re-requests a region (stall limit), when it gives one up (retry limit), how it reads a pool
 * (classification), and what one pool failing for good does to its sibling.
 */
const ACCOUNT = accountIn('eastus');

const pool = (poolId: string, nodes = 10): PoolRollout => ({
  poolId,
  account: ACCOUNT,
  spec: {
    poolId,
    vmSize: 'standard_d2s_v5',
    imageVersionId: VERSION,
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: nodes,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
  },
});

const input = (pools: PoolRollout[] = []): RegionRolloutInput => ({
  requestId: 'req-1',
  ownerInstanceId: 'pipeline-1',
  ownerExecution: '20261129T000000000Z',
  versionId: VERSION,
  region: 'eastus',
  targetRegions: [{ name: 'eastus', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
  pools,
  settings: DEFAULT_ORCHESTRATION_SETTINGS,
});

const replication = (state: string, progress: number) => ({
  id: VERSION,
  provisioningState: 'Succeeded',
  regions: [{ region: 'eastus', state, progress }],
  targetRegions: [],
  tags: {},
});

const steady = (nodes: number, resizeErrors: PoolStatus['resizeErrors'] = []): Partial<PoolStatus> => ({
  allocationState: 'steady',
  currentDedicatedNodes: nodes,
  currentLowPriorityNodes: 0,
  resizeErrors,
});

/** Node counts of healthy pools: every node of a steady pool idle. */
const allIdle = (pools: Record<string, unknown>) => (poolIds: string[]) =>
  poolIds.map((poolId) => {
    const reading = (pools[poolId] ?? steady(10)) as Partial<PoolStatus>;
    const total = (reading.currentDedicatedNodes ?? 0) + (reading.currentLowPriorityNodes ?? 0);
    return { poolId, counts: { idle: total }, total };
  });

/** A world where replication answers as told and everything else succeeds. */
function world(
  read: () => unknown,
  pools: Record<string, unknown> = {},
  counts: (poolIds: string[]) => unknown = allIdle(pools),
): World {
  return {
    activity(name, input) {
      if (name === 'countPoolNodes') return counts(input.poolIds);
      if (name === 'readNodeErrors')
        return [{ nodeId: 'tvmps_1_d', state: 'unusable', code: 'DiskFull', message: 'disk full' }];
      if (name === 'deletePool') return null;
      if (name === 'getReplication') return read();
      if (name === 'updateTargetRegions') return { applied: true };
      if (name === 'createPool') return pools[`create ${input.spec.poolId}`] ?? 'created';
      if (name === 'getPool') return pools[input.poolId] ?? steady(10);
      if (name === 'publishEvents') return { ids: [] };
      throw new Error(`unexpected activity ${name}`);
    },
  };
}

describe('regionRollout replayed', () => {
  it('re-requests a region whose progress has not moved for the stall limit, not before', async () => {
    const run = await replay(
      regionRollout,
      input(),
      world(() => replication('Replicating', 40)),
      { maxTurns: 400 },
    );
    const start = run.turns[0]!.atMs;
    const retries = run.calls.filter((c) => c.name === 'updateTargetRegions');
    expect(retries.length).toBeGreaterThan(0);
    const first = retries[0]!.atMs - start;
    // The stall limit is 6 hours; reads are at most 10 minutes apart.
    expect(first).toBeGreaterThanOrEqual(DEFAULT_ORCHESTRATION_SETTINGS.regionStallLimitMs);
    expect(first).toBeLessThan(
      DEFAULT_ORCHESTRATION_SETTINGS.regionStallLimitMs + DEFAULT_ORCHESTRATION_SETTINGS.pollMaxMs,
    );
    expect(retries[0]!.input).toEqual({ versionId: VERSION, targetRegions: input().targetRegions });
  });

  it('gives a failing region up after the retry limit, with Region.Failed and its pools skipped', async () => {
    const run = await replay(
      regionRollout,
      input([pool('p1')]),
      world(() => replication('Failed', 0)),
    );
    expect(run.done).toBe(true);
    expect(run.calls.filter((c) => c.name === 'updateTargetRegions')).toHaveLength(
      DEFAULT_ORCHESTRATION_SETTINGS.regionRetryLimit,
    );
    expect(run.calls.some((c) => c.name === 'createPool')).toBe(false);
    const outcome = run.output as RegionOutcome;
    expect(outcome).toMatchObject({
      replicated: false,
      attempts: 3,
      pools: [{ poolId: 'p1', state: 'skipped' }],
    });
    expect(outcome.reason).toMatch(/replication failed: .*\(after 3 attempts\)/);
    expect(published(run).map((e) => e.type)).toEqual(['BatchImageFactory.Region.Failed']);
  });
});

describe('regionRollout replayed: pools', () => {
  it('fails a pool that is steady with resize errors, and one steady short of its nodes', async () => {
    const pools = {
      p1: steady(0, [{ code: 'AllocationFailed', message: 'no capacity' }]),
      p2: steady(4),
      p3: steady(10),
    };
    const run = await replay(
      regionRollout,
      input([pool('p1'), pool('p2'), pool('p3')]),
      world(() => replication('Completed', 100), pools),
    );
    const outcome = run.output as RegionOutcome;
    expect(outcome.pools.map((p) => [p.poolId, p.state])).toEqual([
      ['p1', 'failed'],
      ['p2', 'failed'],
      ['p3', 'ready'],
    ]);
    const failed = published(run).filter((e) => e.type.endsWith('Pool.Failed'));
    expect(failed.map((e) => [e.data.poolId, e.data.reason])).toEqual([
      ['p1', 'AllocationFailed: no capacity'],
      ['p2', 'allocation stopped at 4 of 10 nodes'],
    ]);
    expect(failed[0]!.data.resizeErrors).toEqual([{ code: 'AllocationFailed', message: 'no capacity' }]);
  });

  it('still waits for the created pool when its sibling fails to create for good', async () => {
    const pools = { 'create p1': permanent('InvalidPropertyValue', 'The node agent SKU does not match.') };
    const run = await replay(
      regionRollout,
      input([pool('p1'), pool('p2')]),
      world(() => replication('Completed', 100), pools),
    );
    expect(run.calls.filter((c) => c.name === 'createPool')).toHaveLength(2);
    expect(run.calls.filter((c) => c.name === 'getPool').map((c) => c.input.poolId)).toEqual(['p2']);
    const outcome = run.output as RegionOutcome;
    expect(outcome.pools).toEqual([
      { poolId: 'p1', accountId: ACCOUNT.id, state: 'failed', reason: 'The node agent SKU does not match.' },
      { poolId: 'p2', accountId: ACCOUNT.id, state: 'ready' },
    ]);
    expect(published(run).map((e) => `${e.type} ${e.data.poolId ?? ''}`)).toEqual([
      'BatchImageFactory.Region.Replicated ',
      'BatchImageFactory.Pool.Failed p1',
      'BatchImageFactory.Pool.GatePassed p2',
      'BatchImageFactory.Pool.Ready p2',
    ]);
  });
});

describe('regionRollout replayed: the health gate', () => {
  it('rolls back a pool that fails its health gate, leaving the pool it replaces alone', async () => {
    const replacing = { ...pool('p1'), replaces: 'old-p1' };
    const run = await replay(
      regionRollout,
      input([replacing]),
      world(
        () => replication('Completed', 100),
        {},
        (ids) => ids.map((poolId) => ({ poolId, counts: { idle: 9, unusable: 1 }, total: 10 })),
      ),
    );
    const outcome = run.output as RegionOutcome;
    expect(outcome.pools).toEqual([
      expect.objectContaining({
        poolId: 'p1',
        state: 'failed',
        reason: expect.stringMatching(/health gate/),
      }),
    ]);
    // Only the new pool is deleted; the old one is neither drained nor deleted.
    expect(
      run.calls.filter((c) => ['deletePool', 'drainPool'].includes(c.name)).map((c) => c.input.poolId),
    ).toEqual(['p1']);
    expect(published(run).map((e) => `${e.type} ${e.data.poolId ?? ''}`)).toEqual([
      'BatchImageFactory.Region.Replicated ',
      'BatchImageFactory.Pool.GateFailed p1',
      'BatchImageFactory.Pool.Failed p1',
      'BatchImageFactory.Pool.RolledBack p1',
    ]);
    const rolledBack = published(run).at(-1)!;
    expect(rolledBack.data).toMatchObject({ keptPool: 'old-p1' });
    // Bad nodes over the threshold for the settle period (120 s): a brief spike would not fail it.
    const gateReads = run.calls.filter((c) => c.name === 'countPoolNodes');
    expect(gateReads.at(-1)!.atMs - gateReads[0]!.atMs).toBeGreaterThanOrEqual(120_000);
  });
});
