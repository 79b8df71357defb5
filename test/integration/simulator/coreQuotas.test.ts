import type { BatchManagementClient } from '@azure/arm-batch';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { knownVmSizes } from '../../../src/domain/cutover/vmSizes';
import { MINUTE, adaptersFor, testScenario } from '../../helpers/simulator';
import { WEU_ACCOUNT as ACCOUNT, startArmBatchWorld } from '../../helpers/armBatch';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';
import type { BatchServiceClient } from '@azure/batch';

/**
 * Core quotas in the mirror, through the real @azure/arm-batch client: the account GET reports them as
 * ARM does (BatchAccount_Get), and allocation that would pass the dedicated (total or VM family) or
 * low-priority quota stops with Batch's resize error, the pool keeping the nodes that fit.
 */
let sim: RunningSimulator;
let arm: BatchManagementClient;
let data: BatchServiceClient;
let versionId: string;

beforeAll(async () => {
  ({ sim, arm, data, versionId } = await startArmBatchWorld('core-quotas', '4.0.0', {
    scenario: testScenario((s) => {
      const weu = s.batchAccounts!.find((a) => a.id === ACCOUNT)!;
      Object.assign(weu, {
        dedicatedQuota: 200,
        lowPriorityQuota: 16,
        dedicatedCoreQuotaPerVMFamily: [
          { name: 'standardDSv5Family', coreQuota: 100 },
          { name: 'standardDDSv5Family', coreQuota: 400 },
        ],
        poolQuota: 20,
        activeJobAndJobScheduleQuota: 50,
      });
    }),
  }));
});
afterAll(() => sim.stop());

const create = (pool: string, vmSize: string, dedicated: number, lowPriority = 0) =>
  arm.poolOperations.create('rg-batch-weu', 'batchrenderweu', pool, {
    vmSize,
    deploymentConfiguration: {
      virtualMachineConfiguration: {
        imageReference: { id: versionId },
        nodeAgentSkuId: 'batch.node.ubuntu 22.04',
      },
    },
    scaleSettings: {
      fixedScale: {
        targetDedicatedNodes: dedicated,
        targetLowPriorityNodes: lowPriority,
        resizeTimeout: 'PT15M',
      },
    },
  });

describe('Batch core quotas in the simulator', () => {
  it('reports the account quotas as ARM does (BatchAccount_Get; the example’s shape is checked in test/conformance)', async () => {
    const account = await arm.batchAccountOperations.get('rg-batch-weu', 'batchrenderweu');
    expect(account).toMatchObject({
      dedicatedCoreQuota: 200,
      lowPriorityCoreQuota: 16,
      dedicatedCoreQuotaPerVMFamilyEnforced: true,
      dedicatedCoreQuotaPerVMFamily: [
        { name: 'standardDSv5Family', coreQuota: 100 },
        { name: 'standardDDSv5Family', coreQuota: 400 },
      ],
      poolQuota: 20,
      activeJobAndJobScheduleQuota: 50,
    });
    // The production adapter reads them the same way.
    const quotas = await adaptersFor(sim).batch.getCoreQuotas({
      id: ACCOUNT,
      endpoint: '',
      region: 'westeurope',
    });
    expect(quotas).toEqual({
      dedicatedCoreQuota: 200,
      lowPriorityCoreQuota: 16,
      perFamily: { standardDSv5Family: 100, standardDDSv5Family: 400 },
      perFamilyEnforced: true,
      poolQuota: 20,
    });
  });

  it('stops allocation at the VM family quota with AccountCoreQuotaReached (20 × 4 cores fit, 30 do not)', async () => {
    await create('quota-a', 'Standard_D4s_v5', 20);
    await create('quota-b', 'Standard_D4s_v5', 10);
    sim.clock.advance(60 * MINUTE);
    const a = await data.pool.get('quota-a');
    const b = await data.pool.get('quota-b');
    expect(a).toMatchObject({ allocationState: 'steady', currentDedicatedNodes: 20 });
    expect(a.resizeErrors ?? []).toEqual([]);
    // 100 family cores − 80 held by quota-a leaves 20: five 4-core nodes.
    expect(b).toMatchObject({ allocationState: 'steady', currentDedicatedNodes: 5 });
    expect(b.resizeErrors?.[0]?.code).toBe('AccountCoreQuotaReached');
    expect(b.resizeErrors?.[0]?.message).toMatch(/standardDSv5Family/);
  });

  it('frees a family’s cores when a pool shrinks, so a resize that fits then succeeds', async () => {
    await arm.poolOperations.update('rg-batch-weu', 'batchrenderweu', 'quota-a', {
      scaleSettings: { fixedScale: { targetDedicatedNodes: 10, nodeDeallocationOption: 'TaskCompletion' } },
    });
    sim.clock.advance(60 * MINUTE);
    await arm.poolOperations.update('rg-batch-weu', 'batchrenderweu', 'quota-b', {
      scaleSettings: { fixedScale: { targetDedicatedNodes: 15 } },
    });
    sim.clock.advance(60 * MINUTE);
    const b = await data.pool.get('quota-b');
    expect(b).toMatchObject({ allocationState: 'steady', currentDedicatedNodes: 15 });
    expect(b.resizeErrors ?? []).toEqual([]);
  });

  it('stops at the account’s total dedicated quota and the low-priority quota', async () => {
    // Family standardDDSv5Family has 400 cores, but the account total is 200 and 100 are held (a: 10×4, b: 15×4).
    await create('quota-c', 'Standard_D4ds_v5', 40);
    await create('quota-d', 'Standard_D4ds_v5', 0, 6);
    sim.clock.advance(60 * MINUTE);
    const c = await data.pool.get('quota-c');
    expect(c).toMatchObject({ currentDedicatedNodes: 25 });
    expect(c.resizeErrors?.[0]).toMatchObject({ code: 'AccountCoreQuotaReached' });
    const d = await data.pool.get('quota-d');
    expect(d).toMatchObject({ currentLowPriorityNodes: 4 });
    expect(d.resizeErrors?.[0]).toMatchObject({ code: 'AccountLowPriorityCoreQuotaReached' });
  });
});

describe('the VM size table', () => {
  it('knows every VM size the examples, scenarios and tests use', () => {
    const sizes = new Set<string>();
    const out = execSync(
      `grep -rhoiE '"vmSize": *"[A-Za-z0-9_]+"' examples src/local/simulator/scenarios test/e2e || true`,
      { cwd: join(__dirname, '..', '..', '..'), encoding: 'utf8' },
    );
    for (const m of out.matchAll(/"vmSize": *"([A-Za-z0-9_]+)"/gi)) sizes.add(m[1]!.toLowerCase());
    expect(sizes.size).toBeGreaterThan(0);
    expect([...sizes].filter((s) => !knownVmSizes().includes(s))).toEqual([]);
  });
});

describe('Batch pool and job quotas in the simulator', () => {
  it('refuses a pool past the account’s pool quota with 409 PoolQuotaReached (ARM PUT)', async () => {
    const account = sim.world.state.batchAccounts.batchrenderweu!;
    const live = Object.keys(account.pools).length;
    account.poolQuota = live;
    try {
      await expect(create('quota-over', 'Standard_D4s_v5', 0)).rejects.toMatchObject({
        statusCode: 409,
        code: 'PoolQuotaReached',
      });
      account.poolQuota = live + 1;
      await expect(create('quota-over', 'Standard_D4s_v5', 0)).resolves.toBeDefined();
    } finally {
      account.poolQuota = 20;
    }
  });

  it('refuses a job past the active job and schedule quota with 409 ActiveJobAndScheduleQuotaReached', async () => {
    const account = sim.world.state.batchAccounts.batchrenderweu!;
    account.activeJobAndJobScheduleQuota = 1;
    try {
      await data.job.add({ id: 'quota-job-1', poolInfo: { poolId: 'quota-a' } });
      await expect(
        data.job.add({ id: 'quota-job-2', poolInfo: { poolId: 'quota-a' } }),
      ).rejects.toMatchObject({ statusCode: 409, code: 'ActiveJobAndScheduleQuotaReached' });
      account.activeJobAndJobScheduleQuota = 2;
      await expect(
        data.job.add({ id: 'quota-job-2', poolInfo: { poolId: 'quota-a' } }),
      ).resolves.toBeDefined();
    } finally {
      account.activeJobAndJobScheduleQuota = 50;
    }
  });
});
