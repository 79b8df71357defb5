import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableClient } from 'durable-functions/lib/src/durableClient/DurableClient';
import { registerWaiter, startDoorsHost, type DoorsHost } from '../../helpers/hostDoors';

/**
 * GET /runtime/webhooks/durabletask/instances/{id} answers with the extension's status codes
 * (HttpApiHandler.HandleGetStatusRequestAsync): 202 with Location and Retry-After while the instance
 * runs; 200 once it is Completed, Failed or Terminated (500 for Failed only when the caller asks with
 * returnInternalServerErrorOnFailure=true).
 */
let host: DoorsHost;
beforeAll(async () => {
  host = await startDoorsHost([]);
  registerWaiter(host.engine);
  host.engine.registerOrchestrator(
    'thrower',
    createOrchestrator(function* (): Generator<unknown, unknown, unknown> {
      yield undefined;
      throw new Error('boom');
    } as never) as never,
  );
});
afterAll(() => host.stop());

const status = (id: string, query = '') =>
  host.call('GET', `/runtime/webhooks/durabletask/instances/${id}${query}`, {
    headers: { 'x-functions-key': host.keys.systemKeys.durabletask_extension },
  });

describe('Durable status codes', () => {
  it('202 with Location and Retry-After: 5 while running', async () => {
    host.engine.startNew('waiter', 'running-1', null);
    await host.engine.waitFor('running-1', ['Running']);
    const answer = await status('running-1');
    expect(answer.status).toBe(202);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.headers.location).toMatch(/\/instances\/running-1/);
  });

  it('200 for Failed and Terminated, without Location; 500 for Failed only when asked', async () => {
    host.engine.startNew('thrower', 'failed-1', null);
    await host.engine.waitFor('failed-1', ['Failed']);
    const failed = await status('failed-1');
    expect(failed.status).toBe(200);
    expect(failed.headers.location).toBeUndefined();
    expect(JSON.parse(failed.text)).toMatchObject({ runtimeStatus: 'Failed' });
    expect((await status('failed-1', '?returnInternalServerErrorOnFailure=true')).status).toBe(500);

    host.engine.startNew('waiter', 'terminated-1', null);
    await host.engine.waitFor('terminated-1', ['Running']);
    host.engine.terminate('terminated-1', 'operator');
    const terminated = await status('terminated-1');
    expect(terminated.status).toBe(200);
    expect((await status('terminated-1', '?returnInternalServerErrorOnFailure=true')).status).toBe(200);
  });

  it('the durable-functions client reads every status through them', async () => {
    const client = new DurableClient(host.clientData as never);
    for (const [id, expected] of [
      ['running-1', 'Running'],
      ['failed-1', 'Failed'],
      ['terminated-1', 'Terminated'],
    ])
      expect((await client.getStatus(id!)).runtimeStatus).toBe(expected);
  });
});
