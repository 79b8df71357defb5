import type { Services } from './services';
import type { BatchAccountRef, CreatePoolOutcome, PoolSpec, PoolStatus } from '../ports';

export const createPool = (
  s: Services,
  input: { account: BatchAccountRef; spec: PoolSpec },
): Promise<CreatePoolOutcome> => s.batch.createPool(input.account, input.spec);

export async function getPool(
  s: Services,
  input: { account: BatchAccountRef; poolId: string },
): Promise<PoolStatus | null> {
  return (await s.batch.getPool(input.account, input.poolId)) ?? null;
}

/**
 * A pool's image cannot change while it has nodes: the old pool is resized to 0, letting running tasks
 * finish (taskcompletion), then deleted. A pool that is gone already needs nothing.
 */
export async function drainPool(
  s: Services,
  input: { account: BatchAccountRef; poolId: string },
): Promise<'draining' | 'empty' | 'missing'> {
  const pool = await s.batch.getPool(input.account, input.poolId);
  if (!pool || pool.state === 'deleting') return 'missing';
  if (
    pool.currentDedicatedNodes + pool.currentLowPriorityNodes === 0 &&
    pool.targetDedicatedNodes + pool.targetLowPriorityNodes === 0
  )
    return 'empty';
  if (pool.targetDedicatedNodes + pool.targetLowPriorityNodes > 0) {
    // Only start the shrink once: a retried activity finds it already shrinking.
    await s.batch.resizePool(input.account, input.poolId, {
      dedicated: 0,
      lowPriority: 0,
      deallocation: 'taskcompletion',
    });
  }
  return 'draining';
}

export const deletePool = (s: Services, input: { account: BatchAccountRef; poolId: string }): Promise<void> =>
  s.batch.deletePool(input.account, input.poolId);
