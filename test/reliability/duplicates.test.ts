import { createdPools, startTestWorld, type TestWorld } from '../helpers/world';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { smallRequest } from './requests';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ speed: 600 });
  await world.startHost();
});
afterAll(() => world?.stop());

describe('duplicate triggers', () => {
  it('the same queue message three times, and over HTTP too → exactly one pipeline, one pool', async () => {
    const body = JSON.stringify(smallRequest(21));
    await Promise.all([world.enqueue(body), world.enqueue(body), world.enqueue(body)]);
    const http = await world.postJson('/api/builds', body);
    expect([202, 409]).toContain(http.status);
    const status = await world.waitForStatus(pipelineInstanceId('rel-21'), ['Completed', 'Failed'], 90_000);
    expect(status.runtimeStatus).toBe('Completed');
    const again = await world.postJson('/api/builds', body);
    expect(again).toMatchObject({ status: 409, body: { outcome: 'duplicate', instanceId: 'bif-rel-21' } });
    const pipelines = (
      (await world.getJson('/runtime/webhooks/durabletask/instances')).body as { name: string }[]
    ).filter((i) => i.name === 'imagePipeline');
    expect(pipelines).toHaveLength(1);
    expect(createdPools(world.simulator)).toHaveLength(1);
    expect(world.host!.logs.join('')).toMatch(/already owned by instance bif-rel-21/);
  });
});
