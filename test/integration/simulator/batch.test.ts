import type { BatchServiceClient, BatchServiceModels } from '@azure/batch';
import { BatchSharedKeyCredentials, BatchServiceClient as Client } from '@azure/batch';
import { Agent } from 'node:https';
import { MINUTE, httpsJson, publishVersion, startTestSimulator } from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

// Real @azure/batch client (Entra ID auth) → simulator's Batch data plane over HTTPS.
let sim: RunningSimulator;
let batch: BatchServiceClient;
let versionId: string;
let specializedId: string;
let notReplicatedId: string;
let batchClientFor: (account: string) => BatchServiceClient;

const poolSpec = (
  id: string,
  imageId: string,
  overrides: Partial<BatchServiceModels.PoolAddParameter> = {},
): BatchServiceModels.PoolAddParameter => ({
  id,
  vmSize: 'Standard_D4s_v5',
  virtualMachineConfiguration: {
    imageReference: { virtualMachineImageId: imageId },
    nodeAgentSKUId: 'batch.node.ubuntu 22.04',
  },
  targetDedicatedNodes: 600,
  resizeTimeout: 'PT15M',
  ...overrides,
});

beforeAll(async () => {
  const started = await startTestSimulator();
  sim = started.sim;
  batch = started.batch('batchrenderweu');
  batchClientFor = started.batch;
  versionId = await publishVersion(sim, started.compute, { version: '1.0.0' });
  specializedId = await publishVersion(sim, started.compute, {
    definition: 'specialized',
    osState: 'Specialized',
  });
  notReplicatedId = await publishVersion(sim, started.compute, {
    definition: 'notineastus',
    version: '2.0.0',
    regions: [{ name: 'westeurope' }, { name: 'southeastasia' }],
  });
});
afterAll(() => sim.stop());

describe('Batch data plane over the wire', () => {
  it('lists supported images', async () => {
    const images: BatchServiceModels.ImageInformation[] = [];
    for (const image of await batch.account.listSupportedImages()) images.push(image);
    expect(images.map((i) => i.nodeAgentSKUId)).toContain('batch.node.ubuntu 22.04');
    expect(images.find((i) => i.osType === 'windows')?.nodeAgentSKUId).toBe('batch.node.windows amd64');
  });

  it('creates a pool from a gallery version and fills it on the clock: resizing → steady', async () => {
    await batch.pool.add(poolSpec('render-a', versionId));
    let pool = await batch.pool.get('render-a');
    expect(pool).toMatchObject({
      state: 'active',
      allocationState: 'resizing',
      currentDedicatedNodes: 0,
      targetDedicatedNodes: 600,
    });
    sim.clock.advance(5 * MINUTE);
    pool = await batch.pool.get('render-a');
    expect(pool.currentDedicatedNodes).toBeGreaterThan(0);
    expect(pool.currentDedicatedNodes).toBeLessThan(600);
    sim.clock.advance(15 * MINUTE);
    pool = await batch.pool.get('render-a');
    expect(pool).toMatchObject({ allocationState: 'steady', currentDedicatedNodes: 600 });
    expect(pool.resizeErrors).toBeUndefined();
  });

  it('times out an allocation that needs longer than the resize timeout, with AllocationTimedout', async () => {
    await batch.pool.add(
      poolSpec('render-big', versionId, { targetDedicatedNodes: 3000, resizeTimeout: 'PT15M' }),
    );
    sim.clock.advance(20 * MINUTE);
    const pool = await batch.pool.get('render-big');
    expect(pool.allocationState).toBe('steady');
    expect(pool.currentDedicatedNodes).toBeLessThan(3000);
    expect(pool.resizeErrors?.[0]?.code).toBe('AllocationTimedout');
  });

  it('answers PoolExists for a second add, in the Batch error shape', async () => {
    await expect(batch.pool.add(poolSpec('render-a', versionId))).rejects.toMatchObject({
      statusCode: 409,
      code: 'PoolExists',
    });
  });

  it.each([
    ['a specialized image', () => poolSpec('bad-1', specializedId), /generalized images only/],
    [
      'a Windows node agent for a Linux image',
      () =>
        poolSpec('bad-2', versionId, {
          virtualMachineConfiguration: {
            imageReference: { virtualMachineImageId: versionId },
            nodeAgentSKUId: 'batch.node.windows amd64',
          },
        }),
      /OS type Linux/,
    ],
    [
      'an unsupported node agent SKU',
      () =>
        poolSpec('bad-3', versionId, {
          virtualMachineConfiguration: {
            imageReference: { virtualMachineImageId: versionId },
            nodeAgentSKUId: 'batch.node.ubuntu 16.04',
          },
        }),
      /not supported/,
    ],
    [
      'a resize timeout under 5 minutes',
      () => poolSpec('bad-5', versionId, { resizeTimeout: 'PT4M' }),
      /at least 5 minutes/,
    ],
  ])('refuses %s with InvalidPropertyValue', async (_name, spec, reason) => {
    const error = await batch.pool
      .add(spec())
      .catch(
        (e: unknown) =>
          e as { statusCode: number; code: string; body?: { values?: { key: string; value: string }[] } },
      );
    expect(error).toMatchObject({ statusCode: 400, code: 'InvalidPropertyValue' });
    expect(JSON.stringify((error as { body?: unknown }).body)).toMatch(reason);
  });

  it('refuses a version with no replica in the account region', async () => {
    const error = await batchClientFor('batchrendereus')
      .pool.add(poolSpec('bad-4', notReplicatedId))
      .catch((e: unknown) => e as { statusCode: number; code: string; body?: unknown });
    expect(error).toMatchObject({ statusCode: 400, code: 'InvalidPropertyValue' });
    expect(JSON.stringify((error as { body?: unknown }).body)).toMatch(
      /no completed replica in the Batch account's region eastus/,
    );
  });

  it('refuses shared-key auth for gallery-image pools with Batch’s real message', async () => {
    const sharedKey = new Client(
      new BatchSharedKeyCredentials('batchrenderweu', Buffer.from('not-a-real-key').toString('base64')),
      sim.batchUrl('batchrenderweu'),
      {
        agentSettings: { http: new Agent({ ca: sim.caCert }), https: new Agent({ ca: sim.caCert }) },
      },
    );
    await expect(sharedKey.pool.add(poolSpec('sk', versionId))).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthenticationFailed',
    });
    const error = await sharedKey.pool
      .get('render-a')
      .catch((e: { body: { message: { value: string } } }) => e);
    expect((error as { body: { message: { value: string } } }).body.message.value).toMatch(
      /SharedKey is not allowed when external resources of type Compute are linked/,
    );
  });

  it('drains a pool to 0 with taskcompletion, then deletes it', async () => {
    await batch.pool.resize('render-a', {
      targetDedicatedNodes: 0,
      nodeDeallocationOption: 'taskcompletion',
    });
    expect((await batch.pool.get('render-a')).allocationState).toBe('resizing');
    await expect(batch.pool.resize('render-a', { targetDedicatedNodes: 1 })).rejects.toMatchObject({
      statusCode: 409,
    });
    sim.clock.advance(6 * MINUTE);
    expect(await batch.pool.get('render-a')).toMatchObject({
      allocationState: 'steady',
      currentDedicatedNodes: 0,
    });
    await batch.pool.deleteMethod('render-a');
    expect((await batch.pool.get('render-a')).state).toBe('deleting');
    sim.clock.advance(4 * MINUTE);
    await expect(batch.pool.get('render-a')).rejects.toMatchObject({ statusCode: 404, code: 'PoolNotFound' });
  });

  it('stops a resize, patches a pool and lists pools', async () => {
    await batch.pool.add(poolSpec('render-stop', versionId, { targetDedicatedNodes: 900 }));
    sim.clock.advance(5 * MINUTE);
    await batch.pool.stopResize('render-stop');
    const stopped = await batch.pool.get('render-stop');
    expect(stopped.allocationState).toBe('stopping');
    sim.clock.advance(MINUTE);
    const steady = await batch.pool.get('render-stop');
    expect(steady.allocationState).toBe('steady');
    expect(steady.currentDedicatedNodes).toBeLessThan(900);
    await batch.pool.patch('render-stop', { startTask: { commandLine: '/bin/true' } });
    expect((await batch.pool.get('render-stop')).startTask?.commandLine).toBe('/bin/true');
    const ids: string[] = [];
    for (const pool of await batch.pool.list()) ids.push(pool.id!);
    expect(ids).toEqual(expect.arrayContaining(['render-big', 'render-stop']));
  });

  it('answers only the $select-ed properties of each pool in a pool list, as Batch does', async () => {
    await batch.pool.add(poolSpec('render-listed', versionId, { targetDedicatedNodes: 2 }));
    const select = 'id,vmSize,currentDedicatedNodes,targetDedicatedNodes';
    const pools = await batch.pool.list({ poolListOptions: { select } });
    expect(pools.length).toBeGreaterThan(0);
    for (const pool of pools) {
      expect(pool.id).toEqual(expect.any(String));
      expect(pool.vmSize).toEqual(expect.any(String));
      expect(pool.targetDedicatedNodes).toEqual(expect.any(Number));
      // Not selected: absent, not defaulted (the image and the node agent are big nested objects).
      expect(pool.virtualMachineConfiguration).toBeUndefined();
      expect(pool.state).toBeUndefined();
      expect(pool.url).toBeUndefined();
    }
    // Without $select, every property comes back.
    expect((await batch.pool.list())[0]?.virtualMachineConfiguration).toBeDefined();
  });

  it('refuses a $select name Batch does not know (unknown, miscased, a path, empty) with 400', async () => {
    const url = `${sim.batchUrl('batchrenderweu')}/pools?api-version=2022-10-01.16.0&$select=`;
    for (const select of ['id,nosuch', 'id,VmSize', 'id,virtualMachineConfiguration/imageReference', 'id,']) {
      const answer = await httpsJson(url + encodeURIComponent(select), sim.caCert, 'GET');
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('InvalidQueryParameterValue');
      expect(answer.body.message.value).toMatch(
        /^Value for one of the query parameters specified in the request URI is invalid\./,
      );
      expect(answer.body.values).toEqual(
        expect.arrayContaining([
          { key: 'QueryParameterName', value: '$select' },
          { key: 'QueryParameterValue', value: select },
        ]),
      );
    }
    // The miscased name is named with its right spelling.
    const miscased = await httpsJson(url + 'id,VmSize', sim.caCert, 'GET');
    expect(miscased.body.values).toContainEqual({
      key: 'Reason',
      value: expect.stringContaining("'vmSize'"),
    });
  });

  it('pages a pool list with maxresults (1-1000) and filters it on state', async () => {
    const url = `${sim.batchUrl('batchrenderweu')}/pools?api-version=2022-10-01.16.0`;
    const all: string[] = [];
    for (const p of await batch.pool.list()) all.push(p.id!);
    expect(all.length).toBeGreaterThan(2);
    const first = await batch.pool.list({ poolListOptions: { maxResults: 2, select: 'id' } });
    expect(first.map((p) => p.id)).toEqual(all.slice(0, 2));
    expect(first.odatanextLink).toBeDefined();
    const rest: string[] = [];
    let page = first;
    while (page.odatanextLink) {
      page = await batch.pool.listNext(page.odatanextLink);
      rest.push(...page.map((p) => p.id!));
    }
    expect([...first.map((p) => p.id), ...rest]).toEqual(all);
    for (const bad of ['0', '1001'])
      expect((await httpsJson(`${url}&maxresults=${bad}`, sim.caCert, 'GET')).body.code).toBe(
        'OutOfRangeQueryParameterValue',
      );
    const active = await batch.pool.list({
      poolListOptions: { filter: "state eq 'active'", select: 'id,state' },
    });
    expect(active.every((p) => p.state === 'active')).toBe(true);
    const filter = encodeURIComponent("startswith(id, 'render')");
    expect((await httpsJson(`${url}&$filter=${filter}`, sim.caCert, 'GET')).status).toBe(400);
    expect((await httpsJson(`${url}&$skiptoken=abc`, sim.caCert, 'GET')).status).toBe(400);
  });

  it('stops allocation at the account quota with AccountCoreQuotaReached', async () => {
    // westeurope's account has a dedicated quota of 20000 cores in the demo scenario: 5000 four-core nodes.
    await batch.pool.add(
      poolSpec('too-big', versionId, { targetDedicatedNodes: 6000, resizeTimeout: 'PT12H' }),
    );
    sim.clock.advance(12 * 60 * MINUTE);
    const pool = await batch.pool.get('too-big');
    expect(pool.resizeErrors?.[0]?.code).toBe('AccountCoreQuotaReached');
    // The quota is the account's: the nodes its other (four-core) pools hold count against it too.
    let others = 0;
    for (const p of await batch.pool.list()) if (p.id !== 'too-big') others += p.currentDedicatedNodes ?? 0;
    expect(others).toBeGreaterThan(0);
    expect(pool.currentDedicatedNodes).toBe(5000 - others);
  });
});
