import { HttpRequest, InvocationContext } from '@azure/functions';
import {
  buildStatusHandler,
  instanceStatusHandler,
  type StatusClient,
} from '../../../src/functions/buildsHttp';

/**
 * A Durable client that knows some instances' statuses and answers 404 like the real one for others.
 * The id arrives as the URL path segment the real client sends, which the extension percent-decodes.
 */
function client(instances: Record<string, { customStatus?: unknown; runtimeStatus?: string }>): StatusClient {
  return {
    getStatus: async (urlId: string) => {
      const id = decodeURIComponent(urlId);
      const found = instances[id];
      if (!found) throw new Error(`The operation failed with an unexpected status code: 404`);
      return { instanceId: id, runtimeStatus: found.runtimeStatus ?? 'Running', ...found } as never;
    },
  };
}

const get = (path: string, params: Record<string, string>) =>
  new HttpRequest({ method: 'GET', url: `http://127.0.0.1:7071/api/${path}`, params });
const context = new InvocationContext();

describe('GET /api/builds/{requestId} and /api/builds/instances/{instanceId}', () => {
  it('treats the id as a request id even when the request id starts with "bif-"', async () => {
    const durable = client({
      'bif-bif-nightly': { customStatus: { requestId: 'bif-nightly' } },
      'bif-nightly': { customStatus: { requestId: 'nightly' } },
    });
    const response = await buildStatusHandler(
      get('builds/bif-nightly', { requestId: 'bif-nightly' }),
      context,
      durable,
    );
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({
      instanceId: 'bif-bif-nightly',
      pipeline: { requestId: 'bif-nightly' },
    });
  });

  it('never shows SSH private keys, passwords or SAS signatures in the output or progress (#12)', async () => {
    const durable = client({
      'bif-leaky': {
        customStatus: {
          pools: [{ error: 'GET https://a.blob.core.windows.net/c/s.sh?sv=1&sig=SIG1 failed' }],
        },
        output: {
          pools: [
            {
              userAccounts: [
                { name: 'u', password: 'pw1', linuxUserConfiguration: { sshPrivateKey: 'KEY1' } },
              ],
              startTask: { resourceFiles: [{ httpUrl: 'https://a.blob.core.windows.net/c/s.sh?sig=SIG2' }] },
            },
          ],
        },
      } as never,
    });
    const response = await buildStatusHandler(get('builds/leaky', { requestId: 'leaky' }), context, durable);
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.jsonBody)).not.toMatch(/SIG1|SIG2|pw1|KEY1/);
  });

  it('looks an instance id up as it is on its own route', async () => {
    const durable = client({ 'bif-rollout-gal-1.0.1-abc': { customStatus: { stage: 'rollout' } } });
    const response = await instanceStatusHandler(
      get('builds/instances/bif-rollout-gal-1.0.1-abc', { instanceId: 'bif-rollout-gal-1.0.1-abc' }),
      context,
      durable,
    );
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ instanceId: 'bif-rollout-gal-1.0.1-abc' });
  });

  it.each(['sec/1', 'sec 1', 'sec\u20141', ''])(
    'answers 400 for %j, which is no request id (never an alias of "sec-1")',
    async (requestId) => {
      const durable = client({ 'bif-sec-1': { customStatus: { requestId: 'sec-1' } } });
      const response = await buildStatusHandler(get(`builds/${requestId}`, { requestId }), context, durable);
      expect(response.status).toBe(400);
    },
  );

  it.each(['?', 'a/terminate', '\u0000'])('answers 400 for the instance id %j', async (instanceId) => {
    const response = await instanceStatusHandler(
      get('builds/instances/x', { instanceId }),
      context,
      client({}),
    );
    expect(response.status).toBe(400);
  });

  it('never echoes the client error (its URL carries the system key)', async () => {
    const leaky = {
      getStatus: async () => {
        throw new Error('GET /durabletask/SECRETKEY/instances/x failed with 500');
      },
    } as unknown as Parameters<typeof buildStatusHandler>[2];
    await expect(buildStatusHandler(get('builds/x', { requestId: 'x' }), context, leaky)).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SECRETKEY') }),
    );
  });

  it('answers 404 naming the request and the instance it looked for', async () => {
    const response = await buildStatusHandler(get('builds/x', { requestId: 'x' }), context, client({}));
    expect(response.status).toBe(404);
    expect((response.jsonBody as { error: string }).error).toBe('No build x (instance bif-x).');
  });

  it('fetches the listed region children and says how many regions it does not show', async () => {
    const durable = client({
      'bif-big': {
        customStatus: { regionInstances: ['bif-big:region:westeurope'], regionsTotal: 3 },
      },
      'bif-big:region:westeurope': { customStatus: { region: 'westeurope' } },
    });
    const response = await buildStatusHandler(get('builds/big', { requestId: 'big' }), context, durable);
    expect(response.jsonBody).toMatchObject({ regions: [{ region: 'westeurope' }], regionsNotShown: 2 });
  });
});
