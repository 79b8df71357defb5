import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { smallRequest } from './requests';

/**
 * A completed build at each door (issue #16, docs/host.md "Which door starts what"): the product's
 * doors leave it alone; the Durable HTTP API, like Azure's extension (OverridableExistingInstanceStates
 * = NonRunningStates), lets a system-key holder start a new run under its id.
 */
jest.setTimeout(300_000);

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

describe('a Completed build', () => {
  it('the queue leaves it alone; the Durable API start (system key) replaces it, as in Azure', async () => {
    const id = pipelineInstanceId('rel-181');
    const request = JSON.stringify(smallRequest(181));
    await world.enqueue(request);
    const done = await world.waitForStatus(id, ['Completed', 'Failed'], 120_000);
    expect(done.runtimeStatus).toBe('Completed');

    await world.enqueue(request);
    const deadline = Date.now() + 30_000;
    while (
      !/Request rel-181 is already owned by instance bif-rel-181 \(Completed\); nothing started/.test(
        world.host!.logs.join(''),
      )
    )
      if (Date.now() > deadline) throw new Error('the queue message was not handled');
      else await new Promise((r) => setTimeout(r, 200));
    const after = (await world.getJson(`/runtime/webhooks/durabletask/instances/${id}`)).body;
    expect(after).toMatchObject({ runtimeStatus: 'Completed', createdTime: done.createdTime });

    // The operator's door: a start under a Completed id replaces it (Azure's default), input as given.
    const start = await world.postJson(
      `/runtime/webhooks/durabletask/orchestrators/imagePipeline/${id}`,
      after.input,
    );
    expect(start.status).toBe(202);
    const replaced = (await world.getJson(`/runtime/webhooks/durabletask/instances/${id}`)).body;
    expect(replaced.createdTime).not.toBe(done.createdTime);
    expect(['Pending', 'Running']).toContain(replaced.runtimeStatus);
    await world.waitForStatus(id, ['Completed', 'Failed'], 120_000);
  });
});
