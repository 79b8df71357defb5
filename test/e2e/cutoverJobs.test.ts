import type { BatchServiceClient } from '@azure/batch';
import { startTestWorld, type TestWorld } from '../helpers/world';
import { exampleInput } from '../helpers/requests';
import { readScenario } from '../../src/local/simulator/scenario';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { batchClient } from '../../src/azure/clients';
import { SimulatorCredential } from '../../src/azure/credentials';

jest.setTimeout(90_000);

/**
 * Safe cutover on the local world (issue #13, jobs): the compiled app in the embedded host, the
 * simulator's Batch jobs, schedules and tasks read back with the real @azure/batch client.
 */
let world: TestWorld;
let batch: BatchServiceClient;

beforeAll(async () => {
  const scenario = readScenario('demo');
  const weu = scenario.batchAccounts!.find((a) => a.id.endsWith('batchrenderweu'))!;
  weu.taskRules = [
    { jobIdPrefix: 'bif-smoke-render-bad', exitCode: 1, runMinutes: 1 },
    { jobIdPrefix: 'etl-', runMinutes: 10 },
  ];
  world = await startTestWorld({ scenario });
  batch = batchClient(
    world.simulator.batchUrl('batchrenderweu'),
    new SimulatorCredential('operator'),
    world.simulator.caCert,
  );
  await world.startHost();
});
afterAll(() => world?.stop());

/** An old pool from a marketplace image (Batch allows it; no gallery version needed), with nodes. */
async function oldPoolWithWork(poolId: string, prefix: string) {
  await batch.pool.add({
    id: poolId,
    vmSize: 'Standard_D4s_v5',
    virtualMachineConfiguration: {
      imageReference: { publisher: 'canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts' },
      nodeAgentSKUId: 'batch.node.ubuntu 22.04',
    },
    targetDedicatedNodes: 2,
  });
  for (const id of [`${prefix}-nightly`, `${prefix}-hourly`])
    await batch.jobSchedule.add({
      id,
      schedule: { recurrenceInterval: 'PT1H' },
      jobSpecification: { poolInfo: { poolId } },
    });
  await batch.job.add({
    id: `etl-${prefix}`,
    poolInfo: { poolId },
    metadata: [{ name: 'team', value: 'render' }],
  });
  await batch.task.add(`etl-${prefix}`, { id: 'load', commandLine: '/bin/sh -c ./load.sh' });
}

async function whereIs() {
  const jobs = Object.fromEntries(
    (await batch.job.list()).map((j) => [j.id!, { pool: j.poolInfo?.poolId, state: j.state }]),
  );
  const schedules = Object.fromEntries(
    (await batch.jobSchedule.list()).map((s) => [s.id!, s.jobSpecification?.poolInfo?.poolId]),
  );
  return { jobs, schedules };
}

const poolState = (id: string) =>
  batch.pool.get(id).then(
    (p) => p.state,
    (e: { statusCode?: number }) => (e.statusCode === 404 ? 'gone' : Promise.reject(e)),
  );

const smokeTest = {
  tasks: [{ commandLine: '/bin/sh -c "nvidia-smi && ./render --selftest"' }],
  timeout: 'PT20M',
};

function request(requestId: string, poolId: string, replaces: string, version: string) {
  const input = exampleInput('one-region-small');
  Object.assign(input, { requestId, migrateJobs: true, smokeTest });
  input.image.version = version;
  Object.assign(input.pools![0]!, { poolId, replaces, targetDedicatedNodes: 2 });
  return input;
}

const typesOf = (events: { body: unknown }[]) =>
  events.map((m) => (m.body as { type: string; data: any }).type.replace('BatchImageFactory.', ''));

describe('cutover with jobs', () => {
  it('healthy rollout: smoke test passes, two schedules and an active job move, the old pool goes, nothing lost', async () => {
    await oldPoolWithWork('render-a-old', 'a');
    await world.enqueue(JSON.stringify(request('cutover-healthy', 'render-a-new', 'render-a-old', '1.4.0')));
    const status = await world.waitForStatus(pipelineInstanceId('cutover-healthy'), undefined, 75_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ poolsReady: ['render-a-new'], poolsFailed: [] });

    const after = await whereIs();
    expect(after.schedules).toMatchObject({ 'a-nightly': 'render-a-new', 'a-hourly': 'render-a-new' });
    expect(after.jobs['etl-a']).toEqual({ pool: 'render-a-new', state: 'active' });
    // The smoke-test job was deleted; the task of the moved job finished before the move (disable wait).
    expect(Object.keys(after.jobs).filter((j) => j.startsWith('bif-smoke'))).toEqual([]);
    expect(await batch.task.get('etl-a', 'load')).toMatchObject({
      state: 'completed',
      executionInfo: { exitCode: 0 },
    });
    expect((await batch.job.get('etl-a')).metadata).toContainEqual({ name: 'team', value: 'render' });
    expect(await poolState('render-a-old')).toMatch(/deleting|gone/);

    const events = await world.receiveEvents(100, 1500);
    const types = typesOf(events);
    expect(types).toEqual(
      expect.arrayContaining(['Pool.Ready', 'Pool.SmokeTested', 'Pool.JobsMigrated', 'Pool.Retired']),
    );
    expect(types.indexOf('Pool.SmokeTested')).toBeLessThan(types.indexOf('Pool.JobsMigrated'));
    expect(types.indexOf('Pool.JobsMigrated')).toBeLessThan(types.indexOf('Pool.Retired'));
    const migrated = events.find((m) => (m.body as any).type.endsWith('Pool.JobsMigrated'))!.body as any;
    expect(migrated.data).toMatchObject({
      poolId: 'render-a-new',
      replaces: 'render-a-old',
      jobs: ['etl-a'],
    });
    expect([...migrated.data.schedules].sort()).toEqual(['a-hourly', 'a-nightly']);
    expect(
      (events.find((m) => (m.body as any).type.endsWith('Pool.SmokeTested'))!.body as any).data,
    ).toMatchObject({
      passed: true,
      tasks: [{ taskId: 'smoke-1', exitCode: 0 }],
    });
  });

  it('smoke task exits 1: the new pool is rolled back; the old pool, its jobs and schedules are untouched', async () => {
    await oldPoolWithWork('render-b-old', 'b');
    const before = await batch.job.get('etl-b');
    await world.enqueue(
      JSON.stringify(request('cutover-smoke-fails', 'render-bad-b', 'render-b-old', '1.4.1')),
    );
    const status = await world.waitForStatus(pipelineInstanceId('cutover-smoke-fails'), undefined, 75_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toContain('pool render-bad-b: smoke test failed: smoke-1 exited with 1');

    expect(await poolState('render-bad-b')).toMatch(/deleting|gone/);
    expect(await poolState('render-b-old')).toBe('active');
    const after = await whereIs();
    expect(after.schedules).toMatchObject({ 'b-nightly': 'render-b-old', 'b-hourly': 'render-b-old' });
    expect(after.jobs['etl-b']).toEqual({ pool: 'render-b-old', state: 'active' });
    expect((await batch.job.get('etl-b')).eTag).toBe(before.eTag);
    expect(Object.keys(after.jobs).filter((j) => j.startsWith('bif-smoke'))).toEqual([]);

    const events = (await world.receiveEvents(100, 1500)).map((m) => m.body as { type: string; data: any });
    const smoke = events.find((e) => e.type.endsWith('Pool.SmokeTested'))!;
    expect(smoke.data).toMatchObject({
      passed: false,
      reason: expect.stringContaining('smoke-1 exited with 1'),
    });
    const rolledBack = events.find((e) => e.type.endsWith('Pool.RolledBack'))!;
    expect(rolledBack.data).toMatchObject({ poolId: 'render-bad-b', replaces: 'render-b-old' });
    expect(events.map((e) => e.type)).not.toContain('BatchImageFactory.Pool.JobsMigrated');
    expect(events.map((e) => e.type)).not.toContain('BatchImageFactory.Pool.Retired');
  });
});
