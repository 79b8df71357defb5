import { PURGED_OWNER_GRACE_MS, sweepLeftovers } from '../../../src/activities/cleanup';
import type { Services } from '../../../src/activities/services';
import type { SnapshotListing } from '../../../src/ports';

/** The sweep's rule per owner state, over a listing of one group (in-memory ports). */
const NOW = Date.parse('2026-11-29T12:00:00Z');
const GROUP = '/subscriptions/s/resourceGroups/rg';
const snap = (name: string, owner: string, ageMs?: number): SnapshotListing => ({
  id: `${GROUP}/providers/Microsoft.Compute/snapshots/${name}`,
  tags: { 'bif-instance': owner },
  ...(ageMs === undefined ? {} : { timeCreated: new Date(NOW - ageMs).toISOString() }),
});

async function sweep(listing: SnapshotListing[], statuses: Record<string, string>) {
  const deleted: string[] = [];
  const services = {
    compute: {
      listSnapshots: async () => listing,
      beginDelete: async (id: string) => void deleted.push(id.split('/').at(-1)!),
    },
    clock: { now: () => new Date(NOW) },
    instances: { runtimeStatus: async (id: string) => statuses[id] },
  } as unknown as Services;
  const result = await sweepLeftovers(services, { resourceGroupId: GROUP, instanceId: 'me' });
  expect(result.deleted.map((id) => id.split('/').at(-1))).toEqual(deleted);
  return deleted.sort();
}

describe('sweepLeftovers', () => {
  it('sweeps failed, terminated and long-purged owners; keeps running, completed, young or undated purged ones, and its own', async () => {
    const week = PURGED_OWNER_GRACE_MS;
    const deleted = await sweep(
      [
        snap('failed', 'f', 1000),
        snap('terminated', 't', 1000),
        snap('running', 'r', 2 * week),
        snap('completed', 'c', 2 * week),
        snap('purged-old', 'gone-1', week + 1),
        snap('purged-young', 'gone-2', week - 60_000),
        snap('purged-undated', 'gone-3'),
        snap('mine', 'me', 2 * week),
      ],
      { f: 'Failed', t: 'Terminated', r: 'Running', c: 'Completed' },
    );
    expect(deleted).toEqual(['failed', 'purged-old', 'terminated']);
  });
});
