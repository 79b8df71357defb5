import {
  joinReasons,
  STATUS_BUDGET_BYTES,
  statusBytes,
  truncateText,
  withinBudget,
} from '../../../src/orchestrators/statusBudget';
import { pipelineStatus, type PipelineState } from '../../../src/orchestrators/pipelineStatus';
import { regionStatus, type RegionState } from '../../../src/orchestrators/regionStatus';

const long = (prefix: string, i: number, length: number) => `${prefix}${i}`.padEnd(length, 'z');

describe('bounded custom statuses', () => {
  it('keeps a pipeline status with 100 pools, 200 regions and a huge error under budget, with totals', () => {
    const regions = Array.from({ length: 200 }, (_, i) => ({
      name: long('region', i, 41),
      replicaCount: 100,
      capacity: 30_000,
    }));
    const state: PipelineState = {
      requestId: long('r', 0, 100),
      stage: 'failed',
      regions,
      pools: Array.from({ length: 100 }, (_, i) => ({
        poolId: long('pool', i, 64),
        region: regions[0]!.name,
      })),
      regionInstances: regions.map((r) => `bif-${long('r', 0, 100)}:region:${r.name}`),
      startedAt: '2026-11-28T00:00:00.000Z',
      updatedAt: '2026-11-28T00:00:00.000Z',
      outcome: {
        regionsReplicated: regions.map((r) => r.name),
        regionsFailed: [],
        poolsReady: [],
        poolsFailed: Array.from({ length: 100 }, (_, i) => long('pool', i, 64)),
      },
      error: 'x'.repeat(100_000),
    };
    const status = pipelineStatus(state);
    expect(statusBytes(status)).toBeLessThanOrEqual(STATUS_BUDGET_BYTES);
    expect(status).toMatchObject({ regionsTotal: 200, poolsTotal: 100 });
    expect(status.regionInstances).toEqual(state.regionInstances.slice(0, status.regions.length));
    expect(status.outcome!.counts).toEqual({
      regionsReplicated: 200,
      regionsFailed: 0,
      poolsReady: 0,
      poolsFailed: 100,
    });
    expect(status.error).toMatch(/^x{1000}… \(\+99000 more characters\)$/);
  });

  it('lists a region’s failed pools first and counts every state', () => {
    const state: RegionState = {
      region: 'westeurope',
      stage: 'creating-pools',
      replication: { state: 'Completed', progress: 100, attempts: 1, details: 'd'.repeat(5_000) },
      pools: Array.from({ length: 100 }, (_, i) => ({
        poolId: long('pool', i, 64),
        state: i === 99 ? 'failed' : i < 50 ? 'ready (replaced old)' : 'allocating',
        currentNodes: 0,
        targetNodes: 10,
        ...(i === 99 ? { errors: Array.from({ length: 50 }, (_, j) => `Code${j}`) } : {}),
      })),
      updatedAt: '2026-11-28T00:00:00.000Z',
    };
    const status = regionStatus(state);
    expect(statusBytes(status)).toBeLessThanOrEqual(STATUS_BUDGET_BYTES);
    expect(status.pools[0]).toMatchObject({ poolId: long('pool', 99, 64), state: 'failed' });
    expect(status.pools[0]!.errors).toHaveLength(5);
    expect(status.poolCounts).toEqual({ ready: 50, allocating: 49, failed: 1 });
    expect(status.poolsTotal).toBe(100);
    expect(status.replication.details!.length).toBeLessThan(1_100);
  });

  it('halves the number of listed entries until the status fits', () => {
    const seen: number[] = [];
    const status = withinBudget((limit) => {
      seen.push(limit);
      return { items: Array.from({ length: limit }, () => 'y'.repeat(1_000)) };
    });
    expect(seen).toEqual([20, 10, 5]);
    expect(status.items).toHaveLength(5);
  });

  it('cuts texts and names how many reasons it left out', () => {
    expect(truncateText('abc', 5)).toBe('abc');
    expect(truncateText('abcdefgh', 5)).toBe('abcde… (+3 more characters)');
    expect(joinReasons(['a', 'b', 'c'], 2)).toBe('a; b; and 1 more');
  });
});
