import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { PURGED_OWNER_GRACE_MS } from '../../src/activities/cleanup';
import { smallRequest } from './requests';

/**
 * Issue #16: a terminated pipeline whose history was then purged leaves snapshots whose owner no
 * longer exists. The next build in the group sweeps them once they are older than the grace period;
 * a younger one may belong to a build that is just starting elsewhere and is left alone.
 */
jest.setTimeout(300_000);

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

function liveSnapshotsOf(instanceId: string) {
  return Object.values(world.simulator.world.state.resources).filter(
    (r) =>
      r.type === 'microsoft.compute/snapshots' &&
      r.tags?.['bif-instance'] === instanceId &&
      r.deletingAtSimMs === undefined,
  );
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a build, terminates it once it has snapshots, and purges its history (allowed: it is terminal). */
async function terminateAndPurge(n: number): Promise<string> {
  const id = pipelineInstanceId(`rel-${n}`);
  await world.enqueue(JSON.stringify(smallRequest(n)));
  await until(`snapshots of ${id}`, () => liveSnapshotsOf(id).length > 0);
  const path = `/runtime/webhooks/durabletask/instances/${id}`;
  expect((await world.postJson(`${path}/terminate?reason=operator`, '')).status).toBe(202);
  await world.waitForStatus(id, ['Terminated'], 10_000);
  const purge = await world.fetchRaw(path, {
    method: 'DELETE',
    headers: { 'x-functions-key': world.keyFor(path) },
  });
  expect(purge.status).toBe(200);
  expect((await world.getJson(path)).status).toBe(404);
  return id;
}

describe('leftovers of purged pipelines', () => {
  it('are swept by the next build once older than the grace period; younger ones stay', async () => {
    const old = await terminateAndPurge(171);
    const young = await terminateAndPurge(172);
    // The first build's snapshots were taken longer ago than the grace period.
    const agedMs = world.simulator.clock.nowMs() - PURGED_OWNER_GRACE_MS - 3_600_000;
    for (const r of liveSnapshotsOf(old)) r.properties.timeCreated = new Date(agedMs).toISOString();
    const kept = liveSnapshotsOf(young).map((r) => r.id);
    expect(kept.length).toBeGreaterThan(0);

    await world.enqueue(JSON.stringify(smallRequest(173)));
    const next = await world.waitForStatus(pipelineInstanceId('rel-173'), ['Completed', 'Failed'], 120_000);
    expect(next.runtimeStatus).toBe('Completed');
    expect(liveSnapshotsOf(old)).toEqual([]);
    expect(liveSnapshotsOf(young).map((r) => r.id)).toEqual(kept);
  });
});
