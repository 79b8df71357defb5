import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { EVENT_TYPES } from '../../src/domain/events';
import { smallRequest } from './requests';

/**
 * Issue #16: events published by region children tell one run of a pipeline from the next. The local
 * broker drops a message whose id it saw in the last ten minutes, as Service Bus duplicate detection
 * does, so an event that reuses the first run's id never reaches the topic.
 */
jest.setTimeout(300_000);

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** Every event on the topic so far (they are consumed: keep what you need). */
async function drain(waitMs = 2000): Promise<Received[]> {
  const deadline = Date.now() + waitMs;
  const found: Received[] = [];
  while (Date.now() < deadline)
    for (const m of await world.receiveEvents(100, 300)) {
      const e = m.body as { type: string; data: Record<string, unknown> };
      found.push({ id: String(m.messageId), type: e.type, data: e.data });
    }
  return found;
}

function refusePoolCreationOnce(): void {
  world.simulator.addFault({
    // Pools are written through the management plane (ARM PUT …/batchAccounts/{a}/pools/{p}).
    kind: 'status',
    service: 'arm',
    method: 'PUT',
    pathContains: '/pools/rel-pool-161',
    times: 1,
    status: 400,
    code: 'InvalidPropertyValue',
    message: 'Injected: the pool cannot be created.',
  });
}

describe('a restarted pipeline’s region events reach the topic', () => {
  it('R3: a failed build retried under its requestId publishes its own Region.Replicated and Pool.Failed', async () => {
    const id = pipelineInstanceId('rel-161');
    const seen: Received[] = [];
    const ofRun = (type: string) => seen.filter((e) => e.type === type && e.data.requestId === 'rel-161');

    refusePoolCreationOnce();
    await world.postJson('/api/builds', JSON.stringify(smallRequest(161)));
    expect((await world.waitForStatus(id, ['Completed', 'Failed'], 120_000)).runtimeStatus).toBe('Failed');
    seen.push(...(await drain()));
    expect(ofRun(EVENT_TYPES.regionReplicated)).toHaveLength(1);
    expect(ofRun(EVENT_TYPES.poolFailed)).toHaveLength(1);

    // The same requestId again with a new version; the pool is refused again the same way.
    refusePoolCreationOnce();
    const again = await world.postJson(
      '/api/builds',
      JSON.stringify(smallRequest(161, (i) => (i.image.version = '5.0.1610'))),
    );
    expect(again.body).toMatchObject({ outcome: 'restarted', previousStatus: 'Failed' });
    expect((await world.waitForStatus(id, ['Completed', 'Failed'], 120_000)).runtimeStatus).toBe('Failed');
    seen.push(...(await drain()));

    const replicated = ofRun(EVENT_TYPES.regionReplicated);
    expect(replicated.map((e) => String(e.data.imageVersionId).split('/').at(-1))).toEqual([
      '5.0.161',
      '5.0.1610',
    ]);
    // The second run's Pool.Failed is about the same pool (same subject): only its occurrence differs.
    const poolFailed = ofRun(EVENT_TYPES.poolFailed);
    expect(poolFailed).toHaveLength(2);
    expect(new Set(poolFailed.map((e) => e.id)).size).toBe(2);
  });
});
