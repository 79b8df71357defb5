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
