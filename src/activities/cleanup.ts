import type { Services } from './services';
import { OWNER_TAG } from '../domain/pipeline';
import type { SnapshotListing } from '../ports';

/**
 * How old a snapshot whose owner no longer exists (its history was purged) must be before it is swept.
 * A missing owner may also be a build that is just starting in another task hub sharing the group (a
 * second deployment, a local world against real Azure): its snapshots stay in use until its image
 * version is created, which may take the provisioning deadline (2 h) for the snapshots and their
 * copies, then the replication deadline (3 days) — a week is well past all of it.
 */
export const PURGED_OWNER_GRACE_MS = 7 * 24 * 3_600_000;

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
 * group deletes the snapshots whose owning instance failed or was terminated, and those whose owner no
 * longer exists (purged) once older than PURGED_OWNER_GRACE_MS. Instances that run, or completed (they
 * keep snapshots on purpose when deleteIntermediates is off), keep theirs.
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
  const oldEnough = (x: SnapshotListing) =>
    x.timeCreated !== undefined &&
    s.clock.now().getTime() - Date.parse(x.timeCreated) >= PURGED_OWNER_GRACE_MS;
  const deleted: string[] = [];
  for (const owner of owners) {
    const status = await s.instances.runtimeStatus(owner);
    if (status && !TERMINAL.includes(status)) continue;
    for (const snapshot of snapshots.filter((x) => x.tags[OWNER_TAG] === owner)) {
      if (!status && !oldEnough(snapshot)) continue;
      await s.compute.beginDelete(snapshot.id);
      deleted.push(snapshot.id);
    }
  }
  return { deleted };
}
