import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { EVENT_TYPES } from '../../src/domain/events';
import { smallRequest } from './requests';

/**
 * Nothing lost, nobody in: event ids that tell causes apart, requestIds at the maximum length, and
 * snapshots that failed or terminated builds leave behind.
 */
let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

const VM_GROUP_SNAPSHOT = 'microsoft.compute/snapshots';
/** Snapshots in the simulator that an instance made and that are not (being) deleted. */
function liveSnapshotsOf(instanceId: string): string[] {
  return Object.values(world.simulator.world.state.resources)
    .filter(
      (r) =>
        r.type === VM_GROUP_SNAPSHOT &&
        r.tags?.['bif-instance'] === instanceId &&
        r.deletingAtSimMs === undefined,
    )
    .map((r) => r.id);
}

async function eventsFor(requestId: string, type: string, waitMs = 3000) {
  const deadline = Date.now() + waitMs;
  const found: { id: string; data: Record<string, unknown> }[] = [];
  while (Date.now() < deadline) {
    for (const m of await world.receiveEvents(100, 300)) {
      const e = m.body as { id: string; type: string; data: Record<string, unknown> };
      if (e.type === type && e.data.requestId === requestId)
        found.push({ id: String(m.messageId), data: e.data });
    }
  }
  return found;
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('event ids identify one cause', () => {
  it("the intake's rejection and the pipeline's own failure for one requestId both arrive", async () => {
    const bad = smallRequest('evt-1', (i) => {
      i.pools[0].targetDedicatedNodes = -1;
    });
    await world.enqueue(JSON.stringify(bad));
    // The valid request then fails at preflight: its VM does not exist.
    const failing = smallRequest('evt-1', (i) => {
      i.source.id = i.source.id.replace('vm-render-build', 'vm-missing');
    });
    await new Promise((r) => setTimeout(r, 1500));
    await world.enqueue(JSON.stringify(failing));
    const status = await world.waitForStatus(
      pipelineInstanceId('rel-evt-1'),
      ['Completed', 'Failed'],
      60_000,
    );
    expect(status.runtimeStatus).toBe('Failed');
    const failed = await eventsFor('rel-evt-1', EVENT_TYPES.pipelineFailed);
    expect(failed.map((e) => e.data.stage).sort()).toEqual(['preflight', 'validation']);
    expect(new Set(failed.map((e) => e.id)).size).toBe(2);
  });

  it('an invalid message carrying a running build’s requestId publishes no failure for that build', async () => {
    await world.enqueue(JSON.stringify(smallRequest('evt-2')));
    await world.waitForStatus(pipelineInstanceId('rel-evt-2'), ['Running'], 30_000);
    const bad = smallRequest('evt-2', (i) => {
      i.pools[0].targetDedicatedNodes = -1;
    });
    await world.enqueue(JSON.stringify(bad));
    const status = await world.waitForStatus(
      pipelineInstanceId('rel-evt-2'),
      ['Completed', 'Failed'],
      90_000,
    );
    expect(status.runtimeStatus).toBe('Completed');
    expect(await eventsFor('rel-evt-2', EVENT_TYPES.pipelineFailed, 1500)).toEqual([]);
    expect(world.host!.logs.join('')).toMatch(/rel-evt-2 already belongs to instance bif-rel-evt-2/);
  });
});

describe('requestIds at the maximum length', () => {
  it('two 100-character ids differing only at the end are two builds with their own snapshots', async () => {
    const stem = `long-${'x'.repeat(91)}`;
    const ids = [`${stem}-001`, `${stem}-002`];
    expect(ids.every((id) => id.length === 100)).toBe(true);
    for (const [k, id] of ids.entries())
      await world.enqueue(
        JSON.stringify(
          smallRequest(`long-${k}`, (i) => {
            i.requestId = id;
            i.retention = { keepVersions: 100, deleteIntermediates: false };
          }),
        ),
      );
    const instances = ids.map(pipelineInstanceId);
    expect(new Set(instances).size).toBe(2);
    const finals = await Promise.all(
      instances.map((i) => world.waitForStatus(i, ['Completed', 'Failed'], 90_000)),
    );
    expect(finals.map((s) => s.runtimeStatus)).toEqual(['Completed', 'Completed']);
    const [a, b] = instances.map(liveSnapshotsOf);
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBe(a!.length);
    expect(a!.filter((id) => b!.map((x) => x.toLowerCase()).includes(id.toLowerCase()))).toEqual([]);
  });
});

describe('leftovers', () => {
  it('a pipeline that fails after taking snapshots deletes the snapshots it owns', async () => {
    world.simulator.addFault({
      kind: 'status',
      service: 'arm',
      method: 'PUT',
      pathContains: '/versions/5.0.31',
      status: 400,
      code: 'InvalidParameter',
      message: 'Injected: the version cannot be created.',
    });
    await world.enqueue(JSON.stringify(smallRequest(31)));
    const id = pipelineInstanceId('rel-31');
    await until('its snapshots', () => liveSnapshotsOf(id).length > 0);
    const status = await world.waitForStatus(id, ['Completed', 'Failed'], 90_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(liveSnapshotsOf(id)).toEqual([]);
  });

  it('a terminated pipeline’s snapshots are swept by the next build in the same group', async () => {
    await world.enqueue(JSON.stringify(smallRequest(32)));
    const id = pipelineInstanceId('rel-32');
    await until('its snapshots', () => liveSnapshotsOf(id).length > 0);
    const terminated = await world.postJson(
      `/runtime/webhooks/durabletask/instances/${id}/terminate?reason=operator`,
      '',
    );
    expect(terminated.status).toBe(202);
    await world.waitForStatus(id, ['Terminated'], 10_000);
    expect(liveSnapshotsOf(id).length).toBeGreaterThan(0);
    await world.enqueue(JSON.stringify(smallRequest(33)));
    const next = await world.waitForStatus(pipelineInstanceId('rel-33'), ['Completed', 'Failed'], 90_000);
    expect(next.runtimeStatus).toBe('Completed');
    expect(liveSnapshotsOf(id)).toEqual([]);
  });

  it('a pool whose creation is refused says so: Pool.Failed, and "failed" in the status, not "creating"', async () => {
    world.simulator.addFault({
      kind: 'status',
      // Pools are created through the management plane: PUT .../batchAccounts/{a}/pools/{p}.
      service: 'arm',
      method: 'PUT',
      pathContains: '/pools/',
      times: 1,
      status: 400,
      code: 'InvalidPropertyValue',
      message: 'Injected: the pool cannot be created.',
    });
    await world.enqueue(JSON.stringify(smallRequest(34)));
    const id = pipelineInstanceId('rel-34');
    const status = await world.waitForStatus(id, ['Completed', 'Failed'], 90_000);
    expect(status.runtimeStatus).toBe('Failed');
    const poolFailed = await eventsFor('rel-34', EVENT_TYPES.poolFailed);
    expect(poolFailed.map((e) => e.data.poolId)).toEqual(['rel-pool-34']);
    expect(String(poolFailed[0]!.data.reason)).toMatch(/cannot be created/);
    const region = await world.waitForStatus(
      status.customStatus.regionInstances[0],
      ['Completed', 'Failed'],
      10_000,
    );
    expect(region.customStatus.pools.map((p: { state: string }) => p.state)).toEqual(['failed']);
  });
});
