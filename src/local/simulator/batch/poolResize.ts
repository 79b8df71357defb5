import type { BatchAccountState, BatchPoolState } from '../model';
import type { World } from '../world';
import { TIMING, allocationMs } from '../timing';
import { parseDurationMs } from '../../../domain/duration';
import { normalizeLocation } from '../arm/kinds';
import { BatchFailure, invalidProperty } from './batchErrors';
import { snapshotPool } from './allocation';
import { DEFAULT_RESIZE_TIMEOUT_MS, MIN_RESIZE_TIMEOUT_MS, allocationError, etag } from './poolCreation';

/**
 * A resize, from the data plane's POST /pools/{id}/resize or the management plane's PATCH of
 * scaleSettings.fixedScale. `body` is in data-plane casing: targetDedicatedNodes, targetLowPriorityNodes,
 * resizeTimeout, nodeDeallocationOption.
 */
export function applyResize(
  world: World,
  account: BatchAccountState,
  pool: BatchPoolState,
  body: Record<string, any>,
): void {
  const now = world.now();
  // A deleting pool is refused as such first (Pool Delete: "requests to resize … fail with 409
  // PoolBeingDeleted"), whatever its allocation state.
  if (pool.deletingAtSimMs !== undefined)
    throw new BatchFailure(409, 'PoolBeingDeleted', 'The specified pool has been marked for deletion.');
  const current = snapshotPool(pool, now);
  if (current.allocationState !== 'steady') {
    throw new BatchFailure(409, 'PoolBeingResized', 'The specified pool is being resized.');
  }
  const toDedicated = Number(body.targetDedicatedNodes ?? 0);
  const toLowPriority = Number(body.targetLowPriorityNodes ?? 0);
  const timeoutMs = body.resizeTimeout
    ? parseDurationMs(String(body.resizeTimeout))
    : DEFAULT_RESIZE_TIMEOUT_MS;
  if (timeoutMs === undefined || timeoutMs < MIN_RESIZE_TIMEOUT_MS)
    throw invalidProperty('resizeTimeout', 'The resize timeout must be at least 5 minutes.');
  const growing =
    toDedicated + toLowPriority > current.currentDedicatedNodes + current.currentLowPriorityNodes;
  const imageId = (pool.spec.virtualMachineConfiguration as any)?.imageReference?.virtualMachineImageId as
    string | undefined;
  const replicas = imageId
    ? (world.resource(imageId)?.replication?.find((r) => normalizeLocation(r.region) === account.region)
        ?.replicaCount ?? 1)
    : 1;
  const deallocation = String(body.nodeDeallocationOption ?? 'requeue').toLowerCase();
  pool.resize = {
    startedAtSimMs: now,
    fromDedicated: current.currentDedicatedNodes,
    fromLowPriority: current.currentLowPriorityNodes,
    toDedicated,
    toLowPriority,
    durationMs: growing
      ? allocationMs(
          toDedicated + toLowPriority - current.currentDedicatedNodes - current.currentLowPriorityNodes,
          replicas,
          world.timing,
          account.region,
        )
      : deallocation === 'taskcompletion'
        ? TIMING.poolDrainMs
        : TIMING.poolShrinkMs,
    timeoutMs,
    deallocation,
    error: growing
      ? allocationError(
          world,
          account,
          {
            id: pool.id,
            vmSize: String(pool.spec.vmSize ?? ''),
            fromDedicated: current.currentDedicatedNodes,
            fromLowPriority: current.currentLowPriorityNodes,
          },
          toDedicated,
          toLowPriority,
        )
      : undefined,
  };
  pool.spec.targetDedicatedNodes = toDedicated;
  pool.spec.targetLowPriorityNodes = toLowPriority;
  pool.spec.resizeTimeout = body.resizeTimeout ?? 'PT15M';
  pool.eTag = etag(world);
  world.changed();
}

/**
 * Pool Stop Resize: the pool goes `stopping`, then `steady` with the nodes it had at the stop (Batch does
 * not put it back where it was) and a ResizeStopped resize error.
 */
export function stopPoolResize(world: World, pool: BatchPoolState): void {
  const now = world.now();
  if (snapshotPool(pool, now).allocationState === 'resizing') pool.resize.stoppedAtSimMs = now;
  world.changed();
}
