import type { Services } from './services';
import type { BatchAccountRef, PoolSpec } from '../ports';
import { PermanentError, TransientError } from '../domain/errors';
import { markerOwnerEnded } from './markerOwner';
import {
  shrinkMarkerOf,
  withShrinkMarker,
  withoutShrinkMarker,
  type ShrinkMarker,
} from '../domain/cutover/shrinkMarker';

/** The old pool of a cutover, the targets to take it to, and the build (request) doing it. */
interface PoolTargets {
  account: BatchAccountRef;
  poolId: string;
  toDedicated: number;
  toLowPriority: number;
  requestId?: string;
}

/**
 * Shrink-old-first: resize the pool being replaced down to what leaves room for its successor, letting
 * running tasks finish (taskcompletion). Idempotent: a pool already at or below that size is left as it
 * is (never grown back), a pool that is gone needs nothing. The same PATCH writes the `bif-shrink` marker
 * onto the pool (its targets before the shrink, who shrank it), keeping the owner's other metadata: a
 * later run or another build reads the truth from the pool, not from this build's input. A marker already
 * there keeps its `from*` (the pool's targets before the FIRST shrink); another build's marker, while that
 * build runs, means hands off (CUTOVER_POOL_BUSY): both builds planned before either shrank.
 */
export async function shrinkPool(
  s: Services,
  input: PoolTargets & { instanceId?: string },
): Promise<'shrinking' | 'done' | 'missing'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await shrinkOnce(s, input);
    } catch (error) {
      // Someone wrote the pool between our read and the PATCH: read it again and decide again.
      const changed = error instanceof TransientError && error.code === 'PoolChanged';
      if (!changed || attempt >= SHRINK_READS) throw error;
    }
  }
}

/** Reads of a pool others keep writing before the activity gives up (Durable retries it later). */
const SHRINK_READS = 3;

type ShrinkInput = Parameters<typeof shrinkPool>[1];

/**
 * One read-decide-write: the metadata and its ARM etag are read first, the targets after, so any write
 * after the first read fails the PATCH's If-Match (412) instead of being overwritten.
 */
async function shrinkOnce(s: Services, input: ShrinkInput): Promise<'shrinking' | 'done' | 'missing'> {
  const read = await s.batch.getPoolMetadata(input.account, input.poolId);
  const pool = read && (await s.batch.getPool(input.account, input.poolId));
  if (!read || !pool || pool.state === 'deleting') return 'missing';
  const earlier = shrinkMarkerOf(read.metadata);
  if (earlier && earlier.requestId !== input.requestId && !(await markerOwnerEnded(s, earlier.instanceId)))
    throw busyPool(input.poolId, earlier);
  if (pool.targetDedicatedNodes <= input.toDedicated && pool.targetLowPriorityNodes <= input.toLowPriority)
    return 'done';
  const to = {
    dedicated: Math.min(pool.targetDedicatedNodes, input.toDedicated),
    lowPriority: Math.min(pool.targetLowPriorityNodes, input.toLowPriority),
  };
  const marker: ShrinkMarker = {
    requestId: input.requestId ?? '',
    instanceId: input.instanceId ?? '',
    // A pool grown by hand since a marker was left: its targets now are the ones to come back to.
    fromDedicated: Math.max(earlier?.fromDedicated ?? 0, pool.targetDedicatedNodes),
    fromLowPriority: Math.max(earlier?.fromLowPriority ?? 0, pool.targetLowPriorityNodes),
    toDedicated: to.dedicated,
    toLowPriority: to.lowPriority,
    at: s.clock.now().toISOString(),
  };
  await s.batch.resizePool(input.account, input.poolId, {
    ...to,
    deallocation: 'taskcompletion',
    metadata: withShrinkMarker(read.metadata, marker),
    ifMatch: read.etag,
  });
  return 'shrinking';
}

/** A build that no longer runs (or is unknown to the task hub); without a Durable client: still running. */
function busyPool(poolId: string, marker: ShrinkMarker): PermanentError {
  return new PermanentError(
    `Pool ${poolId} is being cut over by build ${marker.requestId} (instance ${marker.instanceId}), which shrank it from ${marker.fromDedicated} dedicated + ${marker.fromLowPriority} low-priority nodes: it is left alone; retry when that build ends.`,
    'CUTOVER_POOL_BUSY',
    poolId,
  );
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
  input: PoolTargets,
): Promise<'restored' | 'done' | 'missing' | 'busy' | 'stopped'> {
  const pool = await s.batch.getPool(input.account, input.poolId);
  if (!pool || pool.state === 'deleting') return 'missing';
  // The pool's own record wins: a restore below the targets it had before the first shrink is never sent.
  const marker = shrinkMarkerOf(pool.metadata);
  // Another build that still runs shrank it for its own cutover: resizing it back would undo that one.
  if (
    marker &&
    input.requestId &&
    marker.requestId !== input.requestId &&
    !(await markerOwnerEnded(s, marker.instanceId))
  )
    throw busyPool(input.poolId, marker);
  // Nor below the pool's targets now: a pool someone grew by hand after the shrink keeps its size (a
  // smaller target would take nodes away and requeue their running tasks).
  const to = {
    dedicated: Math.max(input.toDedicated, marker?.fromDedicated ?? 0, pool.targetDedicatedNodes),
    lowPriority: Math.max(input.toLowPriority, marker?.fromLowPriority ?? 0, pool.targetLowPriorityNodes),
  };
  if (pool.targetDedicatedNodes === to.dedicated && pool.targetLowPriorityNodes === to.lowPriority) {
    if (marker)
      await s.batch.setPoolMetadata(input.account, input.poolId, withoutShrinkMarker(pool.metadata));
    return 'done';
  }
  if (pool.allocationState === 'resizing') {
    await s.batch.stopPoolResize(input.account, input.poolId);
    return 'stopped';
  }
  if (pool.allocationState === 'stopping') return 'busy';
  try {
    // The marker goes in the same PATCH that sends the pool back: the pool never grows without it going.
    await s.batch.resizePool(input.account, input.poolId, {
      ...to,
      ...(marker ? { metadata: withoutShrinkMarker(pool.metadata) } : {}),
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
