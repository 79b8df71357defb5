import type { Services } from './services';
import type { BatchAccountRef, PoolSpec } from '../ports';
import { PermanentError } from '../domain/errors';

/**
 * Shrink-old-first: resize the pool being replaced down to what leaves room for its successor, letting
 * running tasks finish (taskcompletion). Idempotent: a pool already at or below that size is left as it
 * is (never grown back), a pool that is gone needs nothing.
 */
export async function shrinkPool(
  s: Services,
  input: { account: BatchAccountRef; poolId: string; toDedicated: number; toLowPriority: number },
): Promise<'shrinking' | 'done' | 'missing'> {
  const pool = await s.batch.getPool(input.account, input.poolId);
  if (!pool || pool.state === 'deleting') return 'missing';
  if (pool.targetDedicatedNodes <= input.toDedicated && pool.targetLowPriorityNodes <= input.toLowPriority)
    return 'done';
  await s.batch.resizePool(input.account, input.poolId, {
    dedicated: Math.min(pool.targetDedicatedNodes, input.toDedicated),
    lowPriority: Math.min(pool.targetLowPriorityNodes, input.toLowPriority),
    deallocation: 'taskcompletion',
  });
  return 'shrinking';
}

/**
 * Undoes a shrink-old-first when the new pool is rolled back: the old pool (a fixed-size pool: autoscale
 * ones are never shrunk) goes back to the targets it had before the shrink. Idempotent: a pool already
 * at those targets is done, a pool that is gone needs nothing.
 */
export async function restoreShrunkPool(
  s: Services,
  input: { account: BatchAccountRef; poolId: string; toDedicated: number; toLowPriority: number },
): Promise<'restored' | 'done' | 'missing'> {
  const pool = await s.batch.getPool(input.account, input.poolId);
  if (!pool || pool.state === 'deleting') return 'missing';
  if (pool.targetDedicatedNodes === input.toDedicated && pool.targetLowPriorityNodes === input.toLowPriority)
    return 'done';
  await s.batch.resizePool(input.account, input.poolId, {
    dedicated: input.toDedicated,
    lowPriority: input.toLowPriority,
  });
  return 'restored';
}

/**
 * In place: the pool being replaced takes the new image and keeps its id. Idempotent: a pool already on
 * the image is done. A missing pool is a permanent failure (planning saw it; someone deleted it since).
 */
export async function updatePoolInPlace(
  s: Services,
  input: { account: BatchAccountRef; poolId: string; spec: PoolSpec },
): Promise<'updated' | 'already'> {
  const pool = await s.batch.getPool(input.account, input.poolId);
  if (!pool || pool.state === 'deleting')
    throw new PermanentError(
      `Pool ${input.poolId} was planned for an in-place image update but no longer exists; resubmit to plan again.`,
      'PoolNotFound',
      input.poolId,
    );
  if (pool.imageVersionId?.toLowerCase() === input.spec.imageVersionId.toLowerCase()) return 'already';
  await s.batch.updatePoolImage(input.account, input.poolId, input.spec);
  return 'updated';
}
