import type { BatchManagementClient } from '@azure/arm-batch';
import type { BatchServiceClient } from '@azure/batch';
import { MINUTE, rawRequest, testScenario } from '../../helpers/simulator';
import { WEU_ACCOUNT as ACCOUNT, startArmBatchWorld } from '../../helpers/armBatch';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

/**
 * What the cutover re-check and restore need from the mirror, through the real @azure/arm-batch client:
 * a quota that changes while the world runs (`PATCH /_sim/batchAccounts/{name}`: the account GET and
 * allocation see it from then on), and Batch's rule that a pool resizes only while steady (409).
 */
let sim: RunningSimulator;
let arm: BatchManagementClient;
let data: BatchServiceClient;
let versionId: string;

beforeAll(async () => {
  ({ sim, arm, data, versionId } = await startArmBatchWorld('quota-control', '5.0.0', {
    scenario: testScenario((s) => {
      const weu = s.batchAccounts!.find((a) => a.id === ACCOUNT)!;
      weu.dedicatedCoreQuotaPerVMFamily = [{ name: 'standardDSv5Family', coreQuota: 200 }];
    }),
  }));
});
afterAll(() => sim.stop());

const create = (pool: string, dedicated: number) =>
  arm.poolOperations.create('rg-batch-weu', 'batchrenderweu', pool, {
    vmSize: 'Standard_D4s_v5',
    deploymentConfiguration: {
      virtualMachineConfiguration: {
        imageReference: { id: versionId },
        nodeAgentSkuId: 'batch.node.ubuntu 22.04',
      },
    },
    scaleSettings: { fixedScale: { targetDedicatedNodes: dedicated, resizeTimeout: 'PT15M' } },
  });

describe('changing an account’s quota while the world runs', () => {
  it('answers the new quota on the account GET and stops allocation at it', async () => {
    const family = [{ name: 'standardDSv5Family', coreQuota: 40 }];
    const changed = await rawRequest(sim, 'PATCH', '/_sim/batchAccounts/batchrenderweu', {
      dedicatedCoreQuotaPerVMFamily: family,
    });
    expect(changed.status).toBe(200);
    const account = await arm.batchAccountOperations.get('rg-batch-weu', 'batchrenderweu');
    expect(account.dedicatedCoreQuotaPerVMFamily).toEqual(family);
    await create('qc-a', 20);
    sim.clock.advance(60 * MINUTE);
    const a = await data.pool.get('qc-a');
    expect(a.currentDedicatedNodes).toBe(10);
    expect(a.resizeErrors?.[0]?.code).toBe('AccountCoreQuotaReached');
  });

  it('names the field and the account in what it refuses', async () => {
    const bad = await rawRequest(sim, 'PATCH', '/_sim/batchAccounts/batchrenderweu', { poolQuota: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/poolQuota must be a whole number/);
    const missing = await rawRequest(sim, 'PATCH', '/_sim/batchAccounts/nosuchaccount', { poolQuota: 5 });
    expect(missing.status).toBe(404);
  });
});

describe('the quota-control route refuses what Azure support would not grant', () => {
  const patch = (body: unknown, path = '/_sim/batchAccounts/batchrenderweu') =>
    rawRequest(sim, 'PATCH', path, body);

  it('names an unknown or misspelt field and the fields it takes', async () => {
    const bad = await patch({ dedicatedCoreQuotaPerVmFamily: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /Unknown field dedicatedCoreQuotaPerVmFamily.*dedicatedCoreQuotaPerVMFamily/,
    );
  });

  it('checks each dedicatedCoreQuotaPerVMFamily entry: a family name and whole cores ≥ 0', async () => {
    const noName = await patch({ dedicatedCoreQuotaPerVMFamily: [{ coreQuota: 10 }] });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toMatch(/dedicatedCoreQuotaPerVMFamily\[0\]\.name/);
    const half = await patch({
      dedicatedCoreQuotaPerVMFamily: [{ name: 'standardDSv5Family', coreQuota: 2.5 }],
    });
    expect(half.status).toBe(400);
    expect(half.body.error.message).toMatch(
      /dedicatedCoreQuotaPerVMFamily\[0\]\.coreQuota must be a whole number/,
    );
    const notList = await patch({ dedicatedCoreQuotaPerVMFamily: { standardDSv5Family: 10 } });
    expect(notList.status).toBe(400);
    expect(notList.body.error.message).toMatch(/dedicatedCoreQuotaPerVMFamily must be a list/);
  });

  it('turns per-family enforcement off and on (dedicatedCoreQuotaPerVMFamilyEnforced)', async () => {
    const off = await patch({ dedicatedCoreQuotaPerVMFamilyEnforced: false });
    expect(off.status).toBe(200);
    let account = await arm.batchAccountOperations.get('rg-batch-weu', 'batchrenderweu');
    expect(account.dedicatedCoreQuotaPerVMFamilyEnforced).toBe(false);
    const bad = await patch({ dedicatedCoreQuotaPerVMFamilyEnforced: 'no' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/dedicatedCoreQuotaPerVMFamilyEnforced must be true or false/);
    await patch({ dedicatedCoreQuotaPerVMFamilyEnforced: true });
    account = await arm.batchAccountOperations.get('rg-batch-weu', 'batchrenderweu');
    expect(account.dedicatedCoreQuotaPerVMFamilyEnforced).toBe(true);
  });

  it('matches the account by name and region, or by its id (names are unique per region only)', async () => {
    const elsewhere = await patch({ poolQuota: 50 }, '/_sim/batchAccounts/batchrenderweu?region=eastus');
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.message).toMatch(/No Batch account batchrenderweu in eastus/);
    const here = await patch({ poolQuota: 50 }, '/_sim/batchAccounts/batchrenderweu?region=westeurope');
    expect(here.status).toBe(200);
    const byId = await patch({ poolQuota: 60 }, `/_sim/batchAccounts?id=${encodeURIComponent(ACCOUNT)}`);
    expect(byId.status).toBe(200);
    expect(byId.body.poolQuota).toBe(60);
    const unknownId = await patch(
      { poolQuota: 60 },
      `/_sim/batchAccounts?id=${encodeURIComponent(`${ACCOUNT}x`)}`,
    );
    expect(unknownId.status).toBe(404);
  });
});

describe('a resize only while steady', () => {
  it('refuses a scaleSettings PATCH while the pool still resizes (409), and takes it once steady', async () => {
    await rawRequest(sim, 'PATCH', '/_sim/batchAccounts/batchrenderweu', {
      dedicatedCoreQuotaPerVMFamily: [{ name: 'standardDSv5Family', coreQuota: 400 }],
    });
    await create('qc-b', 10);
    sim.clock.advance(60 * MINUTE);
    await arm.poolOperations.update('rg-batch-weu', 'batchrenderweu', 'qc-b', {
      scaleSettings: { fixedScale: { targetDedicatedNodes: 5, nodeDeallocationOption: 'TaskCompletion' } },
    });
    const grow = () =>
      arm.poolOperations.update('rg-batch-weu', 'batchrenderweu', 'qc-b', {
        scaleSettings: { fixedScale: { targetDedicatedNodes: 10 } },
      });
    await expect(grow()).rejects.toMatchObject({ statusCode: 409 });
    sim.clock.advance(60 * MINUTE);
    await grow();
    expect((await data.pool.get('qc-b')).targetDedicatedNodes).toBe(10);
  });
});

describe('Batch’s resize conflicts, with Batch’s codes', () => {
  const fixedScale = (targetDedicatedNodes: number, extra: Record<string, unknown> = {}) => ({
    scaleSettings: { fixedScale: { targetDedicatedNodes, ...extra } },
  });
  const update = (pool: string, body: Record<string, unknown>) =>
    arm.poolOperations.update('rg-batch-weu', 'batchrenderweu', pool, body);
  /** A resize to `nodes` refused with 409 `code` by ARM's pool PATCH and by Batch's pool resize alike. */
  const expectConflictOnBothPlanes = async (pool: string, nodes: number, code: string) => {
    await expect(update(pool, fixedScale(nodes))).rejects.toMatchObject({ statusCode: 409, code });
    await expect(data.pool.resize(pool, { targetDedicatedNodes: nodes })).rejects.toMatchObject({
      statusCode: 409,
      code,
    });
  };

  it('answers 409 PoolBeingResized to a resize of a resizing pool, on both planes', async () => {
    await create('qc-c', 4);
    sim.clock.advance(60 * MINUTE);
    await update('qc-c', fixedScale(2, { nodeDeallocationOption: 'TaskCompletion' }));
    await expectConflictOnBothPlanes('qc-c', 4, 'PoolBeingResized');
  });

  it('stop-resize takes a resizing pool through stopping to steady, where it keeps its nodes and resizes again', async () => {
    await create('qc-d', 8);
    sim.clock.advance(60 * MINUTE);
    await update('qc-d', fixedScale(0, { nodeDeallocationOption: 'TaskCompletion' }));
    sim.clock.advance(MINUTE);
    await arm.poolOperations.stopResize('rg-batch-weu', 'batchrenderweu', 'qc-d');
    const stopping = await data.pool.get('qc-d');
    expect(stopping.allocationState).toBe('stopping');
    await expect(update('qc-d', fixedScale(8))).rejects.toMatchObject({ code: 'PoolBeingResized' });
    sim.clock.advance(MINUTE);
    const stopped = await data.pool.get('qc-d');
    expect(stopped.allocationState).toBe('steady');
    expect(stopped.currentDedicatedNodes).toBe(stopping.currentDedicatedNodes);
    expect(stopped.resizeErrors?.map((e) => e.code)).toEqual(['ResizeStopped']);
    await update('qc-d', fixedScale(8));
    expect((await data.pool.get('qc-d')).targetDedicatedNodes).toBe(8);
  });

  it('answers 409 PoolBeingDeleted to a resize of a deleting pool, before looking at its allocation', async () => {
    await create('qc-e', 4);
    await arm.poolOperations.beginDelete('rg-batch-weu', 'batchrenderweu', 'qc-e');
    await expectConflictOnBothPlanes('qc-e', 2, 'PoolBeingDeleted');
  });
});
