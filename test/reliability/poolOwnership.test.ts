import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { smallRequest } from './requests';

/**
 * Issue #16 (hostile R1/R3): a restarted build owns the pools its earlier runs made. A pool with the
 * build's id that an earlier run of the SAME request made, but with another image (a terminated build
 * resubmitted with a new version) or a failed allocation (steady, short of nodes, resize error), is
 * deleted and made again; a pool another request made is never touched.
 */
jest.setTimeout(300_000);

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

const account = () => world.simulator.world.state.batchAccounts.batchrenderweu!;
const poolIn = (poolId: string) => account().pools[poolId.toLowerCase()];
const imageOf = (poolId: string) =>
  String(
    (poolIn(poolId)?.arm?.properties as Record<string, any> | undefined)?.deploymentConfiguration
      .virtualMachineConfiguration.imageReference.id,
  );

function request(n: string, version: string, nodes = 50) {
  return smallRequest(n, (input) => {
    input.image.definition = 'owned-pools';
    input.image.identifier = { publisher: 'contoso', offer: 'owned', sku: 'pools' };
    input.image.version = version;
    input.pools[0].targetDedicatedNodes = nodes;
  });
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

async function terminate(instanceId: string) {
  const path = `/runtime/webhooks/durabletask/instances/${instanceId}/terminate?reason=test`;
  expect((await world.postJson(path, '')).status).toBe(202);
  await world.waitForStatus(instanceId, ['Terminated']);
}

describe('a restarted build owns the pools its earlier runs made', () => {
  it('R1: terminated while its pool allocates, resubmitted with a new version → the pool is re-made on the new version', async () => {
    const id = pipelineInstanceId('rel-po1');
    expect((await world.postJson('/api/builds', request('po1', '7.0.1'))).status).toBe(202);
    await until(() => poolIn('rel-pool-po1') !== undefined, 'the first run created its pool');
    await terminate(id);
    expect(imageOf('rel-pool-po1')).toMatch(/\/versions\/7\.0\.1$/);
    const again = await world.postJson('/api/builds', request('po1', '7.0.2'));
    expect(again.body).toMatchObject({ outcome: 'restarted' });
    const done = await world.waitForStatus(id, ['Completed', 'Failed'], 200_000);
    expect({ status: done.runtimeStatus, output: done.output }).toMatchObject({
      status: 'Completed',
      output: { poolsReady: ['rel-pool-po1'], poolsFailed: [] },
    });
    expect(imageOf('rel-pool-po1')).toMatch(/\/versions\/7\.0\.2$/);
  });

  it('R3: failed on allocation, fault cleared, resubmitted → the half-allocated pool is replaced and the build completes', async () => {
    const id = pipelineInstanceId('rel-po2');
    world.simulator.addFault({
      kind: 'poolAllocationFail',
      poolId: 'rel-pool-po2',
      code: 'AllocationFailed',
      message: 'No capacity for Standard_D4s_v5.',
      atFraction: 0.5,
    });
    expect((await world.postJson('/api/builds', request('po2', '7.0.3'))).status).toBe(202);
    const failed = await world.waitForStatus(id, ['Completed', 'Failed'], 200_000);
    expect(failed.runtimeStatus).toBe('Failed');
    const first = poolIn('rel-pool-po2')!;
    const poolFailed = (await world.receiveEvents(200, 1500))
      .map((m) => m.body as { type: string; data: Record<string, any> })
      .find((e) => e.type.endsWith('Pool.Failed') && e.data.poolId === 'rel-pool-po2');
    expect(poolFailed?.data).toMatchObject({
      disposition: 'kept-for-inspection',
      fix: expect.stringMatching(/resubmit the same requestId/),
    });
    world.simulator.world.state.faults = [];
    const again = await world.postJson('/api/builds', request('po2', '7.0.3'));
    expect(again.body).toMatchObject({ outcome: 'restarted' });
    const done = await world.waitForStatus(id, ['Completed', 'Failed'], 200_000);
    expect({ status: done.runtimeStatus, output: done.output }).toMatchObject({
      status: 'Completed',
      output: { poolsReady: ['rel-pool-po2'], poolsFailed: [] },
    });
    const second = poolIn('rel-pool-po2')!;
    expect(second.createdAtSimMs).toBeGreaterThan(first.createdAtSimMs);
    expect(second.resize.error).toBeUndefined();
  });

  it('never deletes a pool another request made: a build that wants its id fails with the owner named', async () => {
    const id = pipelineInstanceId('rel-po3');
    const other = smallRequest('po3', (input) => {
      input.image.definition = 'owned-pools';
      input.image.identifier = { publisher: 'contoso', offer: 'owned', sku: 'pools' };
      input.image.version = '7.0.4';
      input.pools[0].poolId = 'rel-pool-po1';
    });
    const before = poolIn('rel-pool-po1')!.createdAtSimMs;
    expect((await world.postJson('/api/builds', other)).status).toBe(202);
    const done = await world.waitForStatus(id, ['Completed', 'Failed'], 200_000);
    expect(done.runtimeStatus).toBe('Failed');
    // The pipeline's output bounds its reason; the pool's own Pool.Failed carries it whole.
    const poolFailed = (await world.receiveEvents(200, 1500))
      .map((m) => m.body as { type: string; data: Record<string, any> })
      .find((e) => e.type.endsWith('Pool.Failed') && e.data.requestId === 'rel-po3');
    expect(poolFailed?.data.reason).toMatch(
      /rel-pool-po1 already exists .*It was made for request rel-po1, so it is left alone/,
    );
    expect(poolIn('rel-pool-po1')!.createdAtSimMs).toBe(before);
    expect(imageOf('rel-pool-po1')).toMatch(/\/versions\/7\.0\.2$/);
  });
});
