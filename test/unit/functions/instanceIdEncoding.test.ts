import { HttpRequest, InvocationContext } from '@azure/functions';
import { DurableClient } from 'durable-functions/lib/src/durableClient/DurableClient';
import { instanceStatusHandler } from '../../../src/functions/buildsHttp';
import { registerWaiter, startDoorsHost, type DoorsHost } from '../../helpers/hostDoors';

/**
 * Durable instance ids may hold "%", spaces and ":" (only / \ # ? and control characters are refused).
 * The Durable HTTP API reads the id from a URL path segment and percent-decodes it, as the embedded
 * host does; durable-functions 3.5 pastes the id into the URL as is. The status route must encode it,
 * or "%A" is malformed (a 500 for the caller) and "x%41y" reads instance "xAy".
 */
let host: DoorsHost;
beforeAll(async () => {
  host = await startDoorsHost([]);
  registerWaiter(host.engine);
});
afterAll(() => host.stop());

const statusOf = (instanceId: string) =>
  instanceStatusHandler(
    new HttpRequest({
      method: 'GET',
      url: `http://127.0.0.1:7071/api/builds/instances/${encodeURIComponent(instanceId)}`,
      params: { instanceId },
    }),
    new InvocationContext(),
    new DurableClient(host.clientData as never),
  );

describe('GET /api/builds/instances/{instanceId} with ids that need encoding', () => {
  it('answers 404 for an unknown id holding a bare "%"', async () => {
    const answer = await statusOf('%A');
    expect(answer.status).toBe(404);
    expect(answer.jsonBody).toEqual({ error: 'No instance %A (instance %A).' });
  });

  it.each(['x%41y', 'with space', 'bif:rollout-a'])(
    'reads instance %j itself, not a decoded alias',
    async (id) => {
      host.engine.startNew('waiter', id, null);
      await host.engine.waitFor(id, ['Running']);
      const answer = await statusOf(id);
      expect(answer.status).toBe(200);
      expect(answer.jsonBody).toMatchObject({ instanceId: id, runtimeStatus: 'Running' });
    },
  );
});
