import type { BatchManagementClient } from '@azure/arm-batch';
import { MINUTE, RG, httpsJson } from '../../helpers/simulator';
import { WEU_ACCOUNT as ACCOUNT, startArmBatchWorld } from '../../helpers/armBatch';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';
import type { BatchServiceClient } from '@azure/batch';

/**
 * The simulator's Batch management plane (Microsoft.Batch/batchAccounts/pools) against the real
 * @azure/arm-batch client and raw calls: the rules Batch enforces there, and one pool model shared with
 * the data plane.
 */
let sim: RunningSimulator;
let arm: BatchManagementClient;
let data: BatchServiceClient;
let versionId: string;

beforeAll(async () => {
  ({ sim, arm, data, versionId } = await startArmBatchWorld('arm-pools', '3.0.0'));
});
afterAll(() => sim.stop());

const properties = (extra: Record<string, unknown> = {}) => ({
  vmSize: 'Standard_D4s_v5',
  deploymentConfiguration: {
    virtualMachineConfiguration: {
      imageReference: { id: versionId },
      nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    },
  },
  ...extra,
});
const put = (pool: string, body: unknown, headers: Record<string, string> = {}) =>
  httpsJson(`${sim.armUrl}${ACCOUNT}/pools/${pool}?api-version=2023-11-01`, sim.caCert, 'PUT', body, headers);

describe('Batch pools through ARM', () => {
  it('a pool made through ARM is the data plane’s pool too', async () => {
    await arm.poolOperations.create('rg-batch-weu', 'batchrenderweu', 'arm-a', {
      ...properties(),
      scaleSettings: { fixedScale: { targetDedicatedNodes: 20, resizeTimeout: 'PT15M' } },
      targetNodeCommunicationMode: 'Simplified',
      taskSlotsPerNode: 4,
    });
    const pool = await data.pool.get('arm-a');
    expect(pool).toMatchObject({
      vmSize: 'standard_d4s_v5',
      targetDedicatedNodes: 20,
      taskSlotsPerNode: 4,
      targetNodeCommunicationMode: 'Simplified',
      virtualMachineConfiguration: { imageReference: { virtualMachineImageId: versionId } },
    });
    const viaArm = await arm.poolOperations.get('rg-batch-weu', 'batchrenderweu', 'arm-a');
    expect(viaArm).toMatchObject({ provisioningState: 'Succeeded', allocationState: 'Resizing' });
  });

  it('honours If-None-Match: * and If-Match with the pool’s etag (412 ConditionNotMet)', async () => {
    expect((await put('arm-b', { properties: properties() }, { 'If-None-Match': '*' })).status).toBe(200);
    const again = await put('arm-b', { properties: properties() }, { 'If-None-Match': '*' });
    expect(again.status).toBe(412);
    expect(again.body.error.code).toBe('ConditionNotMet');
    const stale = await put('arm-b', { properties: { taskSlotsPerNode: 2 } }, { 'If-Match': 'W/"0x8D0"' });
    expect(stale.status).toBe(412);
    const etag = (await arm.poolOperations.get('rg-batch-weu', 'batchrenderweu', 'arm-b')).etag!;
    expect((await put('arm-b', { properties: { taskSlotsPerNode: 2 } }, { 'If-Match': etag })).status).toBe(
      200,
    );
  });

  it('refuses fixedScale with autoScale, an autoscale interval under 5 minutes, and a non-identity key', async () => {
    const both = await put('arm-c', {
      properties: properties({
        scaleSettings: {
          fixedScale: { targetDedicatedNodes: 1 },
          autoScale: { formula: '$TargetDedicatedNodes=1;' },
        },
      }),
    });
    expect([both.status, both.body.error.target]).toEqual([400, 'properties.scaleSettings']);
    const fast = await put('arm-c', {
      properties: properties({
        scaleSettings: { autoScale: { formula: '$TargetDedicatedNodes=1;', evaluationInterval: 'PT1M' } },
      }),
    });
    expect([fast.status, fast.body.error.code, fast.body.error.target]).toEqual([
      400,
      'InvalidPropertyValue',
      'autoScaleEvaluationInterval',
    ]);
    const identity = await put('arm-c', {
      identity: {
        type: 'UserAssigned',
        userAssignedIdentities: { [`${RG('rg')}/providers/Microsoft.Storage/storageAccounts/x`]: {} },
      },
      properties: properties(),
    });
    expect([identity.status, identity.body.error.target]).toEqual([400, 'identity']);
  });
});

describe('Batch pools through ARM: autoscale and deletion', () => {
  it('evaluates an autoscale formula at once and shows the run on both planes', async () => {
    await put('arm-d', {
      properties: properties({
        scaleSettings: { autoScale: { formula: '$TargetDedicatedNodes = max(3, 7);' } },
      }),
    });
    const pool = await data.pool.get('arm-d');
    expect(pool).toMatchObject({
      enableAutoScale: true,
      targetDedicatedNodes: 7,
      autoScaleEvaluationInterval: 'PT15M',
    });
    expect(pool.autoScaleRun?.results).toMatch(/\$TargetDedicatedNodes=7/);
    // A fixed-scale PATCH turns autoscale off (as draining an autoscale pool does).
    sim.clock.advance(30 * MINUTE);
    await arm.poolOperations.update('rg-batch-weu', 'batchrenderweu', 'arm-d', {
      scaleSettings: { fixedScale: { targetDedicatedNodes: 0, nodeDeallocationOption: 'TaskCompletion' } },
    });
    expect(await data.pool.get('arm-d')).toMatchObject({ enableAutoScale: false, targetDedicatedNodes: 0 });
  });

  it('deletes as a long-running operation: 202 with Location, Deleting, then gone on both planes', async () => {
    await put('arm-e', { properties: properties() });
    const url = `${sim.armUrl}${ACCOUNT}/pools/arm-e?api-version=2023-11-01`;
    const deleted = await httpsJson(url, sim.caCert, 'DELETE');
    expect(deleted.status).toBe(202);
    expect(deleted.headers.location).toMatch(/\/poolOperationResults\//);
    expect((await httpsJson(url, sim.caCert, 'GET')).body.properties.provisioningState).toBe('Deleting');
    expect((await data.pool.get('arm-e')).state).toBe('deleting');
    expect((await httpsJson(String(deleted.headers.location), sim.caCert, 'GET')).status).toBe(202);
    sim.clock.advance(10 * MINUTE);
    expect((await httpsJson(String(deleted.headers.location), sim.caCert, 'GET')).status).toBe(200);
    expect((await httpsJson(url, sim.caCert, 'GET')).status).toBe(404);
  });
});

describe('Batch pools through ARM: a refused PATCH changes nothing', () => {
  it('a fixedScale + metadata PATCH on a resizing pool is 409 and both planes keep the old metadata', async () => {
    await arm.poolOperations.create('rg-batch-weu', 'batchrenderweu', 'arm-atomic', {
      ...properties(),
      scaleSettings: { fixedScale: { targetDedicatedNodes: 4, resizeTimeout: 'PT15M' } },
      metadata: [{ name: 'team', value: 'render' }],
    });
    const patch = await httpsJson(
      `${sim.armUrl}${ACCOUNT}/pools/arm-atomic?api-version=2023-11-01`,
      sim.caCert,
      'PATCH',
      {
        properties: {
          scaleSettings: { fixedScale: { targetDedicatedNodes: 1 } },
          metadata: [{ name: 'bif-shrink', value: '{}' }],
        },
      },
    );
    expect([patch.status, patch.body.error.code]).toEqual([409, 'PoolBeingResized']);
    const viaArm = await arm.poolOperations.get('rg-batch-weu', 'batchrenderweu', 'arm-atomic');
    expect(viaArm.metadata).toEqual([{ name: 'team', value: 'render' }]);
    const viaData = await data.pool.get('arm-atomic');
    expect(viaData.metadata).toEqual([{ name: 'team', value: 'render' }]);
    expect(viaData.targetDedicatedNodes).toBe(4);
  });

  it('refuses a metadata item without a value (400 naming the field) and changes nothing', async () => {
    const missing = await put('arm-atomic', {
      properties: { metadata: [{ name: 'team', value: 'render' }, { name: 'bif-shrink' }] },
    });
    expect([missing.status, missing.body.error.target]).toEqual([400, 'properties.metadata[1].value']);
    const viaArm = await arm.poolOperations.get('rg-batch-weu', 'batchrenderweu', 'arm-atomic');
    expect(viaArm.metadata).toEqual([{ name: 'team', value: 'render' }]);
  });
});
