import type { Services } from './services';
import { OWNER_TAG } from '../domain/pipeline';

/** Runtime states after which an instance runs no more code: what it owns and left is garbage. */
const TERMINAL = ['Failed', 'Terminated'];

/**
 * Deletes the snapshots `instanceId` made (our ownership tag says so) in the given groups: a failed
 * pipeline cleans up after itself. Snapshots anyone else made are never touched.
 */
export async function deleteOwnedSnapshots(
  s: Services,
  input: { resourceGroupIds: string[]; instanceId: string },
): Promise<{ deleted: string[] }> {
  const deleted: string[] = [];
  for (const group of input.resourceGroupIds)
    for (const snapshot of await s.compute.listSnapshots(group))
      if (snapshot.tags[OWNER_TAG] === input.instanceId) {
        await s.compute.beginDelete(snapshot.id);
        deleted.push(snapshot.id);
      }
  return { deleted };
}

/**
 * A terminated instance runs no code, so it cannot clean up: the next build that works in the same
 * group deletes the snapshots whose owning instance failed or was terminated. Instances that run, or
 * completed (they keep snapshots on purpose when deleteIntermediates is off), keep theirs.
 */
export async function sweepLeftovers(
  s: Services,
  input: { resourceGroupId: string; instanceId: string },
): Promise<{ deleted: string[] }> {
  if (!s.instances) return { deleted: [] };
  const snapshots = await s.compute.listSnapshots(input.resourceGroupId);
  const owners = new Set(
    snapshots.map((x) => x.tags[OWNER_TAG]).filter((o): o is string => !!o && o !== input.instanceId),
  );
  const deleted: string[] = [];
  for (const owner of owners) {
    const status = await s.instances.runtimeStatus(owner);
    if (!status || !TERMINAL.includes(status)) continue;
    for (const snapshot of snapshots.filter((x) => x.tags[OWNER_TAG] === owner)) {
      await s.compute.beginDelete(snapshot.id);
      deleted.push(snapshot.id);
    }
  }
  return { deleted };
}
