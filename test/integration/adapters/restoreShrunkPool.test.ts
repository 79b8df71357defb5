import { startSimulator, type RunningSimulator } from '../../../src/local/simulator/simulator';
import { computeClient } from '../../../src/azure/clients';
import { SimulatorCredential } from '../../../src/azure/credentials';
import { restoreShrunkPool, shrinkPool } from '../../../src/activities/cutover';
import type { Services } from '../../../src/activities/services';
import { SHRINK_METADATA, shrinkMarkerOf } from '../../../src/domain/cutover/shrinkMarker';
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
  // The shrink stamps its marker with the activity clock: the simulator's.
  services = {
    batch: adapters.batch,
    clock: { now: () => sim.clock.now() },
  } as unknown as Services;
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

it('writes the bif-shrink marker with the shrink, keeps the owner’s metadata, and takes it off with the restore', async () => {
  await services.batch.createPool(ACCOUNT_WEU, {
    poolId: 'marked-old',
    vmSize: 'Standard_D4s_v5',
    imageVersionId: (await services.batch.getPool(ACCOUNT_WEU, 'restore-old'))!.imageVersionId!,
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: 8,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
    metadata: [{ name: 'team', value: 'render' }],
  });
  sim.clock.advance(60 * MINUTE);
  const pool = { account: ACCOUNT_WEU, poolId: 'marked-old' };
  const owner = { requestId: 'req-a', instanceId: 'build-a' };
  expect(await shrinkPool(services, { ...pool, ...owner, toDedicated: 4, toLowPriority: 0 })).toBe(
    'shrinking',
  );
  // Read back through the data plane, as planning lists pools: the owner's entry survived the PATCH.
  const shrunk = (await services.batch.getPool(ACCOUNT_WEU, 'marked-old'))!;
  expect(shrunk.targetDedicatedNodes).toBe(4);
  expect(shrunk.metadata!.map((m) => m.name)).toEqual(['team', SHRINK_METADATA]);
  expect(shrinkMarkerOf(shrunk.metadata)).toMatchObject({ ...owner, fromDedicated: 8, toDedicated: 4 });
  sim.clock.advance(60 * MINUTE);
  // Asked to go back to 4 (a plan made from the shrunk pool): the marker says 8.
  const restore = { ...pool, toDedicated: 4, toLowPriority: 0, requestId: 'req-a' };
  expect(await restoreShrunkPool(services, restore)).toBe('restored');
  const back = (await services.batch.getPool(ACCOUNT_WEU, 'marked-old'))!;
  expect(back).toMatchObject({ targetDedicatedNodes: 8, metadata: [{ name: 'team', value: 'render' }] });
  // The metadata-only PATCH (a pool already back with a marker left) replaces the list and nothing else.
  await services.batch.setPoolMetadata(ACCOUNT_WEU, 'marked-old', [{ name: 'team', value: 'vfx' }]);
  expect(await services.batch.getPool(ACCOUNT_WEU, 'marked-old')).toMatchObject({
    targetDedicatedNodes: 8,
    metadata: [{ name: 'team', value: 'vfx' }],
  });
});

it('an operator’s metadata edit between the read and the shrink PATCH is kept: If-Match, 412, read again', async () => {
  await services.batch.createPool(ACCOUNT_WEU, {
    poolId: 'edited-old',
    vmSize: 'Standard_D4s_v5',
    imageVersionId: (await services.batch.getPool(ACCOUNT_WEU, 'restore-old'))!.imageVersionId!,
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: 8,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
    metadata: [{ name: 'team', value: 'render' }],
  });
  sim.clock.advance(60 * MINUTE);
  // Right after the activity's first read of the pool, an operator adds an entry through ARM.
  let edited = false;
  const racing = {
    ...services,
    batch: Object.assign(Object.create(services.batch) as Services['batch'], {
      getPool: async (account: typeof ACCOUNT_WEU, poolId: string) => {
        const read = await services.batch.getPool(account, poolId);
        if (!edited && poolId === 'edited-old') {
          edited = true;
          await services.batch.setPoolMetadata(account, poolId, [
            { name: 'team', value: 'render' },
            { name: 'owner', value: 'ops' },
          ]);
        }
        return read;
      },
    }),
  } as Services;
  const pool = { account: ACCOUNT_WEU, poolId: 'edited-old', requestId: 'req-e', instanceId: 'build-e' };
  expect(await shrinkPool(racing, { ...pool, toDedicated: 4, toLowPriority: 0 })).toBe('shrinking');
  const shrunk = (await services.batch.getPool(ACCOUNT_WEU, 'edited-old'))!;
  expect(shrunk.metadata!.map((m) => m.name)).toEqual(['team', 'owner', SHRINK_METADATA]);
  const patches = sim.recorder
    .since(0)
    .filter((r) => r.method === 'PATCH' && r.path.includes('/pools/edited-old'))
    .map((r) => r.status);
  expect(patches).toEqual([200, 412, 200]);
});
