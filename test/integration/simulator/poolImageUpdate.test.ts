import {
  MINUTE,
  RG,
  adaptersFor,
  httpsJson,
  publishVersion,
  startTestSimulator,
} from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';
import type { BatchServiceClient } from '@azure/batch';
import type { PoolSpec } from '../../../src/domain/batchPool';
import type { AzureBatchAdapter } from '../../../src/azure/batchAdapter';

/**
 * A pool's image changed in place through the management plane: the simulator refuses it with the
 * api-version @azure/arm-batch 9.1.0 speaks (2023-11-01) and on a pool with nodes, as Batch does
 * (PropertyCannotBeUpdated); the product's adapter sends that one PATCH with 2024-07-01 through the same
 * client, and the empty pool keeps its id and takes the new image.
 */
let sim: RunningSimulator;
let data: BatchServiceClient;
let batch: AzureBatchAdapter;
let v1: string;
let v2: string;
const ACCOUNT = {
  id: `${RG('rg-batch-weu')}/providers/Microsoft.Batch/batchAccounts/batchrenderweu`,
  endpoint: 'https://batchrenderweu.westeurope.batch.azure.com',
  region: 'westeurope',
};

beforeAll(async () => {
  const started = await startTestSimulator({ throttling: false });
  sim = started.sim;
  data = started.batch('batchrenderweu');
  batch = adaptersFor(sim).batch;
  v1 = await publishVersion(sim, started.compute, { version: '5.0.0' });
  v2 = await publishVersion(sim, started.compute, { version: '5.1.0' });
});
afterAll(() => sim.stop());

const spec = (poolId: string, imageVersionId: string, nodes: number): PoolSpec => ({
  poolId,
  vmSize: 'Standard_D4s_v5',
  imageVersionId,
  nodeAgentSkuId: 'batch.node.ubuntu 22.04',
  targetDedicatedNodes: nodes,
  targetLowPriorityNodes: 0,
  resizeTimeout: 'PT15M',
  taskSlotsPerNode: 1,
});

const patchImage = (poolId: string, imageVersionId: string, apiVersion: string) =>
  httpsJson(`${sim.armUrl}${ACCOUNT.id}/pools/${poolId}?api-version=${apiVersion}`, sim.caCert, 'PATCH', {
    properties: {
      deploymentConfiguration: {
        virtualMachineConfiguration: {
          imageReference: { id: imageVersionId },
          nodeAgentSkuId: 'batch.node.ubuntu 22.04',
        },
      },
    },
  });

describe('changing a pool’s image in place', () => {
  it('is refused with api-version 2023-11-01, even on an empty pool', async () => {
    await batch.createPool(ACCOUNT, spec('inplace-empty', v1, 0));
    sim.clock.advance(MINUTE);
    const answer = await patchImage('inplace-empty', v2, '2023-11-01');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: {
        code: 'PropertyCannotBeUpdated',
        target: 'deploymentConfiguration',
        details: expect.arrayContaining([{ code: 'PropertyName', message: 'deploymentConfiguration' }]),
      },
    });
  });

  it('is refused on a pool with nodes, whatever the api-version', async () => {
    await batch.createPool(ACCOUNT, spec('inplace-busy', v1, 2));
    sim.clock.advance(30 * MINUTE);
    await expect(
      batch.updatePoolImage(ACCOUNT, 'inplace-busy', spec('inplace-busy', v2, 2)),
    ).rejects.toMatchObject({
      code: 'PropertyCannotBeUpdated',
      message: expect.stringMatching(/no nodes/),
    });
    expect(
      (await data.pool.get('inplace-busy')).virtualMachineConfiguration?.imageReference
        ?.virtualMachineImageId,
    ).toBe(v1);
  });

  it('takes the new image on an empty pool with 2024-07-01, sent for that one request only', async () => {
    const from = sim.recorder.since(0).length;
    await batch.updatePoolImage(ACCOUNT, 'inplace-empty', spec('inplace-empty', v2, 0));
    const pool = await data.pool.get('inplace-empty');
    expect(pool.id).toBe('inplace-empty');
    expect(pool.virtualMachineConfiguration?.imageReference?.virtualMachineImageId).toBe(v2);
    await batch.getCoreQuotas(ACCOUNT);
    const arm = sim.recorder
      .since(0)
      .slice(from)
      .filter((r) => r.service === 'arm');
    expect(arm.map((r) => [r.method, r.path.match(/api-version=([\d-]+)/)?.[1]])).toEqual([
      ['PATCH', '2024-07-01'],
      ['GET', '2023-11-01'],
    ]);
  });

  it('checks the new image as creation does (no replica in the region: refused)', async () => {
    const answer = await patchImage('inplace-empty', `${v2.slice(0, -'5.1.0'.length)}9.9.9`, '2024-07-01');
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/virtualMachineImageId/);
  });
});
