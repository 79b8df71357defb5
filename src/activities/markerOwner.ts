import type { Services } from './services';

/** Durable's runtime statuses of a build that no longer runs. */
const ENDED = ['Completed', 'Failed', 'Terminated', 'Canceled'];

/**
 * Whether the build named by a pool's `bif-shrink` marker no longer runs (ended, or its instance is gone:
 * purged). Without a Durable client to ask, it counts as running: leaving the pool alone is the choice
 * that cannot lose its capacity. One answer for planning (capacityFacts) and for the shrink and restore
 * (cutover), which must agree on whose pool it is.
 */
export async function markerOwnerEnded(s: Services, instanceId: string): Promise<boolean> {
  if (!s.instances) return false;
  const status = await s.instances.runtimeStatus(instanceId);
  return status === undefined || ENDED.includes(status);
}
