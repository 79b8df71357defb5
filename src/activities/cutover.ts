import type { Services } from './services';
import type { BatchAccountRef, PoolSpec } from '../ports';
import { PermanentError, TransientError } from '../domain/errors';

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
 * ones are never shrunk) goes back to the targets it had before the shrink. Batch resizes a steady pool
 * only (409 PoolBeingResized), and the shrink is a taskcompletion one that may run for hours, so a pool
 * still resizing has its resize stopped (Pool Stop Resize: stopping, then steady at its current nodes)
 * and answers 'stopped'; one stopping answers 'busy': the caller waits and asks again. Idempotent: a pool
 * already at those targets is done, a pool that is gone needs nothing.
 * (https://learn.microsoft.com/rest/api/batchservice/pool/resize,
 * https://learn.microsoft.com/rest/api/batchservice/pool/stop-pool-resize)
 */
export async function restoreShrunkPool(
  s: Services,
  input: { account: BatchAccountRef; poolId: string; toDedicated: number; toLowPriority: number },
): Promise<'restored' | 'done' | 'missing' | 'busy' | 'stopped'> {
  const pool = await s.batch.getPool(input.account, input.poolId);
  if (!pool || pool.state === 'deleting') return 'missing';
  if (pool.targetDedicatedNodes === input.toDedicated && pool.targetLowPriorityNodes === input.toLowPriority)
    return 'done';
  if (pool.allocationState === 'resizing') {
    await s.batch.stopPoolResize(input.account, input.poolId);
    return 'stopped';
  }
  if (pool.allocationState === 'stopping') return 'busy';
  try {
    await s.batch.resizePool(input.account, input.poolId, {
      dedicated: input.toDedicated,
      lowPriority: input.toLowPriority,
    });
  } catch (error) {
    // Someone resized it between the read and the PATCH: stopped on the next ask.
    if (error instanceof TransientError && error.code === 'PoolBeingResized') return 'busy';
    throw error;
  }
  return 'restored';
}

/**
 * In place: the pool being replaced takes the new image and keeps its id. Planning saw it empty, but the
 * update comes hours later (after replication), and Batch changes a pool's image only while it is steady
 * with no dedicated and no Spot/low-priority nodes
 * (https://learn.microsoft.com/azure/batch/batch-pool-update-properties): the pool is read again right
 * before the PATCH. With nodes now, "auto" answers 'has-nodes' (the orchestrator creates a new pool
 * instead) and "in-place" fails for good. Idempotent: a pool already on the image is done. A missing
 * pool is a permanent failure (planning saw it; someone deleted it since).
 */
export async function updatePoolInPlace(
  s: Services,
  input: { account: BatchAccountRef; poolId: string; spec: PoolSpec; requested?: 'auto' | 'in-place' },
): Promise<'updated' | 'already' | 'has-nodes'> {
  const pool = await s.batch.getPool(input.account, input.poolId);
  if (!pool || pool.state === 'deleting')
    throw new PermanentError(
      `Pool ${input.poolId} was planned for an in-place image update but no longer exists; resubmit to plan again.`,
      'PoolNotFound',
      input.poolId,
    );
  if (pool.imageVersionId?.toLowerCase() === input.spec.imageVersionId.toLowerCase()) return 'already';
  const nodes =
    pool.currentDedicatedNodes +
    pool.targetDedicatedNodes +
    pool.currentLowPriorityNodes +
    pool.targetLowPriorityNodes;
  if (nodes > 0 || pool.allocationState !== 'steady') {
    if (input.requested === 'auto') return 'has-nodes';
    throw new PermanentError(
      `Pool ${input.poolId} was empty when the build was planned but now has ${pool.currentDedicatedNodes} dedicated and ${pool.currentLowPriorityNodes} low-priority nodes (targets ${pool.targetDedicatedNodes}+${pool.targetLowPriorityNodes}, ${pool.allocationState}); Batch changes a pool's image only while it is steady with no nodes. Scale it to 0 and resubmit, or set cutover.strategy to "auto" (a new pool when in place is not possible).`,
      'PoolHasNodes',
      input.poolId,
    );
  }
  await s.batch.updatePoolImage(input.account, input.poolId, input.spec);
  return 'updated';
}
