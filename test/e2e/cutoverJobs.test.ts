import type { BatchServiceClient } from '@azure/batch';
import { startTestWorld, type TestWorld } from '../helpers/world';
import { exampleInput } from '../helpers/requests';
import { readScenario } from '../../src/local/simulator/scenario';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import {
  oldPoolWithWork,
  operatorBatch,
  poolState as stateOf,
  whereIs as whereIn,
} from '../helpers/batchWork';

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
  batch = operatorBatch(world);
  await world.startHost();
});
afterAll(() => world?.stop());

const smokeTest = {
  tasks: [{ commandLine: '/bin/sh -c "nvidia-smi && ./render --selftest"' }],
  timeout: 'PT20M',
};

function request(requestId: string, poolId: string, replaces: string, version: string, migrateJobs = true) {
  const input = exampleInput('one-region-small');
  Object.assign(input, { requestId, migrateJobs, smokeTest });
  input.image.version = version;
  Object.assign(input.pools![0]!, { poolId, replaces, targetDedicatedNodes: 2 });
  return input;
}

const typesOf = (events: { body: unknown }[]) =>
  events.map((m) => (m.body as { type: string; data: any }).type.replace('BatchImageFactory.', ''));

describe('cutover with jobs', () => {
  it('healthy rollout: smoke test passes, two schedules, their current jobs and an active job move, the old pool goes, nothing lost', async () => {
    await oldPoolWithWork(batch, 'render-a-old', 'a');
    await world.enqueue(JSON.stringify(request('cutover-healthy', 'render-a-new', 'render-a-old', '1.4.0')));
    const status = await world.waitForStatus(pipelineInstanceId('cutover-healthy'), undefined, 75_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ poolsReady: ['render-a-new'], poolsFailed: [] });

    const after = await whereIn(batch);
    expect(after.schedules).toMatchObject({ 'a-nightly': 'render-a-new', 'a-hourly': 'render-a-new' });
    expect(after.jobs['etl-a']).toEqual({ pool: 'render-a-new', state: 'active' });
    expect(after.jobs['a-nightly:job-1']).toEqual({ pool: 'render-a-new', state: 'active' });
    // The smoke-test job was deleted; the task of the moved job finished before the move (disable wait).
    expect(Object.keys(after.jobs).filter((j) => j.startsWith('bif-smoke'))).toEqual([]);
    expect(await batch.task.get('etl-a', 'load')).toMatchObject({
      state: 'completed',
      executionInfo: { exitCode: 0 },
    });
    // The owner's metadata as it was: the bif-migration marker is taken off once the job is enabled.
    expect((await batch.job.get('etl-a')).metadata).toEqual([{ name: 'team', value: 'render' }]);
    expect(await stateOf(batch, 'render-a-old')).toMatch(/deleting|gone/);
    const view = (await world.getJson('/api/builds/cutover-healthy')).body;
    expect(view.regions[0].pools[0]).toMatchObject({
      poolId: 'render-a-new',
      smokeTest: 'passed',
      migration: { schedules: 2, jobs: 3 },
    });

    const events = await world.receiveEvents(100, 1500);
    const types = typesOf(events);
    expect(types).toEqual(
      expect.arrayContaining(['Pool.Ready', 'Pool.SmokeTested', 'Pool.JobsMigrated', 'Pool.Retired']),
    );
    expect(types.indexOf('Pool.SmokeTested')).toBeLessThan(types.indexOf('Pool.JobsMigrated'));
    expect(types.indexOf('Pool.JobsMigrated')).toBeLessThan(types.indexOf('Pool.Retired'));
    const migrated = events.find((m) => (m.body as any).type.endsWith('Pool.JobsMigrated'))!.body as any;
    expect(migrated.data).toMatchObject({ poolId: 'render-a-new', replaces: 'render-a-old' });
    expect([...migrated.data.jobs].sort()).toEqual(['a-hourly:job-1', 'a-nightly:job-1', 'etl-a']);
    expect([...migrated.data.schedules].sort()).toEqual(['a-hourly', 'a-nightly']);
    expect(
      (events.find((m) => (m.body as any).type.endsWith('Pool.SmokeTested'))!.body as any).data,
    ).toMatchObject({
      passed: true,
      tasks: [{ taskId: 'smoke-1', exitCode: 0 }],
    });
  });
});

describe('cutover with jobs: rollback', () => {
  it('smoke task exits 1: the new pool is rolled back; the old pool, its jobs and schedules are untouched', async () => {
    await oldPoolWithWork(batch, 'render-b-old', 'b');
    const before = await batch.job.get('etl-b');
    await world.enqueue(
      JSON.stringify(request('cutover-smoke-fails', 'render-bad-b', 'render-b-old', '1.4.1')),
    );
    const status = await world.waitForStatus(pipelineInstanceId('cutover-smoke-fails'), undefined, 75_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toContain('pool render-bad-b: smoke test failed: smoke-1 exited with 1');

    expect(await stateOf(batch, 'render-bad-b')).toMatch(/deleting|gone/);
    expect(await stateOf(batch, 'render-b-old')).toBe('active');
    const after = await whereIn(batch);
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
    expect(rolledBack.data).toMatchObject({ poolId: 'render-bad-b', keptPool: 'render-b-old' });
    expect(events.map((e) => e.type)).not.toContain('BatchImageFactory.Pool.JobsMigrated');
    expect(events.map((e) => e.type)).not.toContain('BatchImageFactory.Pool.Retired');
  });
});

describe('cutover with jobs: move back', () => {
  it('migration fails part-way (Batch refuses an enable): everything moved goes back, the old pool stays', async () => {
    await oldPoolWithWork(batch, 'render-c-old', 'c');
    world.simulator.addFault({
      kind: 'status',
      service: 'batch',
      method: 'POST',
      pathContains: '/jobs/etl-c/enable',
      status: 409,
      code: 'OperationInvalidForCurrentState',
      times: 1,
    });
    await world.enqueue(
      JSON.stringify(request('cutover-move-back', 'render-c-new', 'render-c-old', '1.4.2')),
    );
    const status = await world.waitForStatus(pipelineInstanceId('cutover-move-back'), undefined, 75_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toContain('moving the jobs of pool render-c-old to render-c-new failed');

    const after = await whereIn(batch);
    expect(after.schedules).toMatchObject({ 'c-nightly': 'render-c-old', 'c-hourly': 'render-c-old' });
    expect(after.jobs['etl-c']).toEqual({ pool: 'render-c-old', state: 'active' });
    expect(await stateOf(batch, 'render-c-old')).toBe('active');
    expect(await stateOf(batch, 'render-c-new')).toBe('active');
    const events = (await world.receiveEvents(100, 1500)).map((m) => m.body as { type: string; data: any });
    const back = events.find((e) => e.type.endsWith('Pool.JobsMovedBack'))!;
    expect(back.data).toMatchObject({ poolId: 'render-c-new', replaces: 'render-c-old' });
    expect([...back.data.jobs].sort()).toEqual(['c-hourly:job-1', 'c-nightly:job-1', 'etl-c']);
    expect(after.jobs['c-nightly:job-1']).toEqual({ pool: 'render-c-old', state: 'active' });
    expect([...back.data.schedules].sort()).toEqual(['c-hourly', 'c-nightly']);
    expect(events.map((e) => e.type)).not.toContain('BatchImageFactory.Pool.Retired');
  });
});

describe('cutover with jobs: schedules only', () => {
  it("moves each active schedule's current job with it (Batch never moves it) and skips ended schedules", async () => {
    await oldPoolWithWork(batch, 'render-d-old', 'd');
    await batch.job.deleteMethod('etl-d');
    await batch.jobSchedule.add({
      id: 'd-done',
      schedule: { recurrenceInterval: 'PT1H' },
      jobSpecification: { poolInfo: { poolId: 'render-d-old' } },
    });
    await batch.jobSchedule.terminate('d-done');
    await world.enqueue(
      JSON.stringify(request('cutover-schedules', 'render-d-new', 'render-d-old', '1.4.3', false)),
    );
    const status = await world.waitForStatus(pipelineInstanceId('cutover-schedules'), undefined, 75_000);
    expect(status.runtimeStatus).toBe('Completed');

    const after = await whereIn(batch);
    expect(after.schedules).toMatchObject({ 'd-nightly': 'render-d-new', 'd-hourly': 'render-d-new' });
    // Without the move the current job would stay on the deleted pool and block its schedule.
    expect(after.jobs['d-nightly:job-1']).toEqual({ pool: 'render-d-new', state: 'active' });
    expect(after.jobs['d-hourly:job-1']).toEqual({ pool: 'render-d-new', state: 'active' });
    const events = (await world.receiveEvents(100, 1500)).map((m) => m.body as { type: string; data: any });
    const migrated = events.find((e) => e.type.endsWith('Pool.JobsMigrated'))!;
    expect([...migrated.data.schedules].sort()).toEqual(['d-hourly', 'd-nightly']);
    expect([...migrated.data.jobs].sort()).toEqual(['d-hourly:job-1', 'd-nightly:job-1']);
    expect(migrated.data.skipped).toEqual({ schedules: ['d-done'], jobs: [] });
  });
});
