import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createdPools, startTestWorld, type TestWorld } from '../helpers/world';
import { ROOT } from '../helpers/requests';
import { pipelineInstanceId } from '../../src/domain/pipeline';

jest.setTimeout(120_000);

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ speed: 300 });
  await world.startHost();
});
afterAll(() => world?.stop());

describe('kill -9 of the host during replication', () => {
  it('restarts and completes: each pool created once, each event with one stable id', async () => {
    await world.enqueue(readFileSync(join(ROOT, 'examples', 'three-regions-3000-nodes.json'), 'utf8'));
    const instanceId = pipelineInstanceId('render-global-2026-11-28');
    // Wait until the pipeline is replicating, then kill the host without warning.
    for (;;) {
      const { status, body } = await world.getJson(`/api/builds/render-global-2026-11-28`);
      if (status === 200 && body.pipeline?.stage === 'rollout') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await world.killHost();
    const killedAt = world.simulator.clock.nowMs();
    await new Promise((r) => setTimeout(r, 500));
    await world.startHost();
    const status = await world.waitForStatus(instanceId);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output.poolsReady).toHaveLength(3);
    expect(world.simulator.clock.nowMs()).toBeGreaterThan(killedAt);

    expect(createdPools(world.simulator)).toHaveLength(3);
    const versionPuts = world.simulator.recorder
      .since(0)
      .filter((r) => r.method === 'PUT' && /\/versions\/1\.0\.0\?/.test(r.path) && r.status < 300);
    expect(versionPuts).toHaveLength(1);

    const events = await world.receiveEvents(200, 1500);
    const ids = events.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length); // duplicate detection collapsed any re-sent event
    const types = events.map((m) => (m.body as { type: string }).type);
    expect(types.filter((t) => t.endsWith('Pool.Ready'))).toHaveLength(3);
    expect(types.filter((t) => t.endsWith('Pipeline.Completed'))).toHaveLength(1);
  });
});
