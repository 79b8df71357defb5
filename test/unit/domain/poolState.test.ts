import { allocationDeadlineMs, classifyPool } from '../../../src/domain/poolState';

const target = { targetDedicatedNodes: 8, targetLowPriorityNodes: 2, resizeTimeout: 'PT15M' };
const reading = (
  allocationState: string,
  dedicated: number,
  low = 0,
  resizeErrors: { code: string; message: string }[] = [],
) => ({
  allocationState,
  currentDedicatedNodes: dedicated,
  currentLowPriorityNodes: low,
  resizeErrors,
});
const GRACE = 30 * 60_000;

describe('classifyPool', () => {
  it('is ready only when steady with every node (dedicated and low priority) and no resize error', () => {
    expect(classifyPool(target, reading('steady', 8, 2), 60_000, GRACE)).toEqual({
      kind: 'ready',
      currentNodes: 10,
    });
    expect(classifyPool(target, reading('steady', 8, 1), 60_000, GRACE)).toMatchObject({
      kind: 'failed',
      reason: 'allocation stopped at 9 of 10 nodes',
    });
    const errors = [{ code: 'AccountCoreQuotaReached', message: 'quota' }];
    expect(classifyPool(target, reading('steady', 8, 2, errors), 60_000, GRACE)).toEqual({
      kind: 'failed',
      reason: 'AccountCoreQuotaReached: quota',
      resizeErrors: errors,
    });
  });

  it('waits while resizing until its resizeTimeout plus the grace period, then fails naming both', () => {
    const deadline = allocationDeadlineMs(target, GRACE);
    expect(deadline).toBe(45 * 60_000);
    expect(classifyPool(target, reading('resizing', 3), deadline - 1, GRACE)).toEqual({
      kind: 'allocating',
      currentNodes: 3,
    });
    expect(classifyPool(target, reading('resizing', 3), deadline, GRACE)).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(
        /still resizing at 3 of 10 nodes 45 minutes after creation: past its resizeTimeout \(PT15M\) plus 30 minutes/,
      ),
    });
  });

  it('fails a pool that disappeared, and uses Batch default of 15 minutes for an unreadable timeout', () => {
    expect(classifyPool(target, null, 0, GRACE)).toMatchObject({
      kind: 'failed',
      reason: 'the pool disappeared while allocating',
    });
    expect(allocationDeadlineMs({ ...target, resizeTimeout: 'soon' }, 0)).toBe(15 * 60_000);
  });
});

describe('classifyPool, autoscale pools', () => {
  // Batch re-evaluates the formula every evaluationInterval; a young pool's evaluation can fail with
  // InsufficientSampleData and succeed later (learn.microsoft.com/azure/batch/batch-pool-autoscale-event).
  const auto = { ...target, autoScale: true };
  const insufficient = {
    code: 'InsufficientSampleData',
    message: 'Autoscale evaluation failed due to insufficient sample data',
  };
  const evaluated = (error?: typeof insufficient) => ({
    ...reading('steady', 0),
    targetDedicatedNodes: 0,
    targetLowPriorityNodes: 0,
    autoScale: { lastRunAt: '2026-11-29T10:00:00Z', ...(error ? { error } : {}) },
  });

  it('a failed evaluation before the deadline: still allocating (Batch evaluates again)', () => {
    expect(classifyPool(auto, evaluated(insufficient), 60_000, GRACE)).toEqual({
      kind: 'allocating',
      currentNodes: 0,
    });
  });

  it('a later successful evaluation makes it ready', () => {
    expect(classifyPool(auto, evaluated(), 20 * 60_000, GRACE)).toEqual({ kind: 'ready', currentNodes: 0 });
  });

  it('still failing at the deadline: failed, with the last evaluation error in the reason', () => {
    const deadline = allocationDeadlineMs(auto, GRACE);
    expect(classifyPool(auto, evaluated(insufficient), deadline, GRACE)).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(
        /no successful autoscale evaluation .* last evaluation failed: InsufficientSampleData: Autoscale evaluation failed due to insufficient sample data/,
      ),
      resizeErrors: [insufficient],
    });
  });
});
