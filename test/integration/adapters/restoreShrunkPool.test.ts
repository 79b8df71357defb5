import { startSimulator, type RunningSimulator } from '../../../src/local/simulator/simulator';
import { computeClient } from '../../../src/azure/clients';
import { SimulatorCredential } from '../../../src/azure/credentials';
import { restoreShrunkPool, shrinkPool } from '../../../src/activities/cutover';
import type { Services } from '../../../src/activities/services';
import { ACCOUNT_WEU, adaptersFor, MINUTE, publishVersion, SUB, testScenario } from '../../helpers/simulator';

/**
 * The cutover restore through the real adapter and SDK clients against the mirror: an old pool whose
 * taskcompletion shrink is still running has its resize stopped (Pool_StopResize), goes stopping then
 * steady, and only then is resized back (Batch refuses a resize of a resizing pool: 409 PoolBeingResized).
 */
let sim: RunningSimulator;
let services: Services;
beforeAll(async () => {
  sim = await startSimulator({ speed: 1, scenario: testScenario() });
  const adapters = adaptersFor(sim);
  const versionId = await publishVersion(
    sim,
    computeClient({ armEndpoint: sim.armUrl, ca: sim.caCert }, new SimulatorCredential(), SUB),
  );
  services = { batch: adapters.batch } as unknown as Services;
  await adapters.batch.createPool(ACCOUNT_WEU, {
    poolId: 'restore-old',
    vmSize: 'Standard_D4s_v5',
    imageVersionId: versionId,
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: 8,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
  });
  sim.clock.advance(60 * MINUTE);
});
afterAll(() => sim.stop());

it('stops a shrink still running, waits for steady, then resizes the old pool back', async () => {
  const pool = { account: ACCOUNT_WEU, poolId: 'restore-old' };
  expect(await shrinkPool(services, { ...pool, toDedicated: 4, toLowPriority: 0 })).toBe('shrinking');
  sim.clock.advance(MINUTE);
  const restore = { ...pool, toDedicated: 8, toLowPriority: 0 };
  expect(await restoreShrunkPool(services, restore)).toBe('stopped');
  const stopping = await services.batch.getPool(ACCOUNT_WEU, 'restore-old');
  expect(stopping).toMatchObject({ allocationState: 'stopping' });
  expect(await restoreShrunkPool(services, restore)).toBe('busy');
  sim.clock.advance(MINUTE);
  expect(await restoreShrunkPool(services, restore)).toBe('restored');
  sim.clock.advance(60 * MINUTE);
  const back = await services.batch.getPool(ACCOUNT_WEU, 'restore-old');
  expect(back).toMatchObject({
    allocationState: 'steady',
    currentDedicatedNodes: 8,
    targetDedicatedNodes: 8,
  });
  const writes = sim.recorder
    .since(0)
    .filter((r) => r.method === 'POST' || r.method === 'PATCH')
    .filter((r) => r.path.includes('/pools/restore-old'))
    .map((r) => `${r.method} ${r.path.split('?')[0]!.split('/').at(-1)} ${r.status}`);
  expect(writes).toEqual(['PATCH restore-old 200', 'POST stopResize 200', 'PATCH restore-old 200']);
});
