import { pipelineStatus } from '../../../src/orchestrators/pipelineStatus';
import { statusBytes, STATUS_BUDGET_BYTES } from '../../../src/orchestrators/statusBudget';
import { MAX_WAVES, type WaveLine } from '../../../src/domain/cutover/waves';
import type { PipelineState } from '../../../src/domain/status';

/** Waves ride in the pipeline's custom status, which Azure caps at 16 KB: the most waves still fit. */
describe('waves in the pipeline custom status', () => {
  it('stays within the budget with the most waves, many regions and long reasons', () => {
    const regions = Array.from({ length: 60 }, (_, i) => `region${String(i).padStart(3, '0')}xyz`);
    const waves: WaveLine[] = Array.from({ length: MAX_WAVES }, (_, i) => ({
      wave: i + 1,
      regions: regions.slice(i * 3, i * 3 + 3),
      state: 'failed',
      approval: true,
      soakMinutes: 60,
      awaitingApprovalSince: '2026-11-28T00:00:00.000Z',
      approvedAt: '2026-11-28T01:00:00.000Z',
      approvedBy: 'x'.repeat(200),
      soakUntil: '2026-11-28T02:00:00.000Z',
      reason: 'y'.repeat(5_000),
    }));
    const state: PipelineState = {
      requestId: 'r',
      stage: 'rollout',
      regions: regions.map((name) => ({ name, replicaCount: 1, capacity: 1 })),
      pools: regions.map((region) => ({ poolId: `pool-${region}`, region })),
      regionInstances: regions.map((r) => `bif-r:abc:region:${r}`),
      startedAt: 't',
      updatedAt: 't',
      waves,
    };
    const status = pipelineStatus(state);
    expect(statusBytes(status)).toBeLessThanOrEqual(STATUS_BUDGET_BYTES);
    expect(status.waves).toHaveLength(MAX_WAVES);
    expect(status.waves!.every((w) => (w.reason?.length ?? 0) <= 350)).toBe(true);
  });
});
