import type { Pool } from '@azure/arm-batch';
import type { PoolSpec } from '../ports/batch';
import { sameResourceId } from '../domain/resourceId';

/** The pool metadata entry that names the request a pool was made for (see domain/planning/pipelinePlan). */
export const REQUEST_METADATA = 'bif-request';

/**
 * What to do with a pool that already has the id a build wants:
 * - `adopt`: it is the pool this build wants (same image and size, not failed) — Durable runs the create
 *   at least once, and a restarted build finds the pool its earlier run made;
 * - `replace`: an earlier run of THIS request made it (its `bif-request` metadata says so) and it cannot
 *   serve this run — another image or size (a restart with a new version), or it is steady short of its
 *   nodes / with resize errors (the allocation failed) — so it is deleted and made again;
 * - `wait`: it is being deleted; it can be made again once it is gone (Batch refuses a pool id while
 *   the old pool goes: PoolBeingDeleted);
 * - `conflict`: another request's pool, or a pool the factory did not make: never touched.
 */
export type ExistingPoolVerdict = 'adopt' | 'replace' | 'wait' | 'conflict';

export function requestOf(metadata: { name: string; value: string }[] | undefined): string | undefined {
  return metadata?.find((m) => m.name === REQUEST_METADATA)?.value;
}

export function judgeExistingPool(existing: Pool, spec: PoolSpec): ExistingPoolVerdict {
  if (existing.provisioningState === 'Deleting') return 'wait';
  const imageId = existing.deploymentConfiguration?.virtualMachineConfiguration?.imageReference?.id;
  const sameImage = imageId !== undefined && sameResourceId(imageId, spec.imageVersionId);
  // Azure VM size names are case-insensitive (Batch reports them lower-cased).
  const sameSize = existing.vmSize?.toLowerCase() === spec.vmSize.toLowerCase();
  const wanted = requestOf(spec.metadata);
  const ours = wanted !== undefined && requestOf(existing.metadata) === wanted;
  if (sameImage && sameSize) return ours && allocationFailed(existing) ? 'replace' : 'adopt';
  return ours ? 'replace' : 'conflict';
}

/** Steady with resize errors, or (fixed scale) steady short of its target nodes. */
export function allocationFailed(pool: Pool): boolean {
  if (pool.allocationState !== 'Steady') return false;
  if (pool.resizeOperationStatus?.errors?.length) return true;
  const fixed = pool.scaleSettings?.fixedScale;
  if (!fixed) return false;
  return (
    (pool.currentDedicatedNodes ?? 0) < (fixed.targetDedicatedNodes ?? 0) ||
    (pool.currentLowPriorityNodes ?? 0) < (fixed.targetLowPriorityNodes ?? 0)
  );
}
