import type { BatchServiceClient, BatchServiceModels } from '@azure/batch';
import {
  ACCOUNT_WEU,
  MINUTE,
  adaptersFor,
  httpsJson,
  publishVersion,
  startTestSimulator,
  testScenario,
} from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

// Real @azure/batch client (Entra ID auth) → the simulator's jobs, job schedules and tasks over HTTPS.
let sim: RunningSimulator;
let batch: BatchServiceClient;

const poolSpec = (id: string, imageId: string): BatchServiceModels.PoolAddParameter => ({
  id,
  vmSize: 'Standard_D4s_v5',
  virtualMachineConfiguration: {
    imageReference: { virtualMachineImageId: imageId },
    nodeAgentSKUId: 'batch.node.ubuntu 22.04',
  },
  targetDedicatedNodes: 2,
  resizeTimeout: 'PT15M',
});

beforeAll(async () => {
  const started = await startTestSimulator({
    scenario: testScenario((s) => {
      const weu = s.batchAccounts!.find((a) => a.id.endsWith('batchrenderweu'))!;
      weu.taskRules = [
        { jobIdPrefix: 'smoke-', exitCode: 1, runMinutes: 1 },
        { jobIdPrefix: 'long-', runMinutes: 20 },
      ];
    }),
  });
  sim = started.sim;
  batch = started.batch('batchrenderweu');
  const versionId = await publishVersion(sim, started.compute, { version: '1.0.0' });
  await batch.pool.add(poolSpec('old', versionId));
  await batch.pool.add(poolSpec('new', versionId));
  sim.clock.advance(10 * MINUTE);
});
afterAll(() => sim.stop());

async function jobsOn(poolId: string): Promise<string[]> {
  const page = await batch.job.list({ jobListOptions: { filter: `executionInfo/poolId eq '${poolId}'` } });
  return page.map((j) => j.id!).sort();
}

describe('Batch jobs over the wire', () => {
  it("refuses a job's new pool unless the job is disabled (409), then moves it once disabled", async () => {
    await batch.job.add({ id: 'render-a', poolInfo: { poolId: 'old' } });
    const refused = await batch.job.patch('render-a', { poolInfo: { poolId: 'new' } }).catch((e) => e);
    expect(refused).toMatchObject({ statusCode: 409, code: 'OperationInvalidForCurrentState' });
    expect((await batch.job.get('render-a')).poolInfo?.poolId).toBe('old');

    await batch.job.disable('render-a', 'requeue');
    expect((await batch.job.get('render-a')).state).toBe('disabled');
    await batch.job.patch('render-a', { poolInfo: { poolId: 'new' } });
    await batch.job.enable('render-a');
    expect((await batch.job.get('render-a')).state).toBe('enabling');
    sim.clock.advance(1 * MINUTE);
    expect(await batch.job.get('render-a')).toMatchObject({
      state: 'active',
      poolInfo: { poolId: 'new' },
      executionInfo: { poolId: 'new' },
    });
    expect(await jobsOn('old')).not.toContain('render-a');
    expect(await jobsOn('new')).toContain('render-a');
  });

  it('disable with wait stays disabling while a task runs, then disabled once it ends', async () => {
    await batch.job.add({ id: 'long-1', poolInfo: { poolId: 'old' } });
    await batch.task.add('long-1', { id: 't1', commandLine: '/bin/sh -c "sleep 1200"' });
    sim.clock.advance(1 * MINUTE);
    expect((await batch.task.get('long-1', 't1')).state).toBe('running');
    await batch.job.disable('long-1', 'wait');
    expect((await batch.job.get('long-1')).state).toBe('disabling');
    const early = await batch.job.patch('long-1', { poolInfo: { poolId: 'new' } }).catch((e) => e);
    expect(early).toMatchObject({ statusCode: 409 });
    sim.clock.advance(20 * MINUTE);
    expect((await batch.job.get('long-1')).state).toBe('disabled');
    expect(await batch.task.get('long-1', 't1')).toMatchObject({
      state: 'completed',
      executionInfo: { exitCode: 0, result: 'success' },
    });
    const twice = await batch.job.disable('long-1', 'wait').catch((e) => e);
    expect(twice).toMatchObject({ statusCode: 409, code: 'JobNotActive' });
  });
});

describe('Batch tasks and job schedules over the wire', () => {
  it('runs tasks to their exit code; a timeout ends them as failures', async () => {
    await batch.job.add({ id: 'smoke-new', poolInfo: { poolId: 'new' } });
    await batch.task.add('smoke-new', { id: 'probe', commandLine: 'nvidia-smi' });
    await batch.job.add({ id: 'long-2', poolInfo: { poolId: 'new' } });
    await batch.task.add('long-2', {
      id: 'slow',
      commandLine: 'sleep 3600',
      constraints: { maxWallClockTime: 'PT5M' },
    });
    sim.clock.advance(10 * MINUTE);
    expect(await batch.task.get('smoke-new', 'probe')).toMatchObject({
      state: 'completed',
      executionInfo: { exitCode: 1, result: 'failure' },
    });
    const slow = await batch.task.get('long-2', 'slow');
    expect(slow.executionInfo).toMatchObject({
      result: 'failure',
      failureInfo: { code: 'MaxWallClockTimeExceeded' },
    });
    const tasks = await batch.task.list('smoke-new');
    expect(tasks.map((t) => t.id)).toEqual(['probe']);
    await batch.job.deleteMethod('smoke-new');
    expect((await batch.job.get('smoke-new')).state).toBe('deleting');
    sim.clock.advance(1 * MINUTE);
    expect(await batch.job.get('smoke-new').catch((e) => e)).toMatchObject({
      statusCode: 404,
      code: 'JobNotFound',
    });
  });

  it('moves a job schedule by patching its jobSpecification; its list filters on id and state only', async () => {
    await batch.jobSchedule.add({
      id: 'nightly',
      schedule: { recurrenceInterval: 'P1D' },
      jobSpecification: { poolInfo: { poolId: 'old' } },
    });
    const byPool = await batch.jobSchedule
      .list({ jobScheduleListOptions: { filter: "jobSpecification/poolInfo/poolId eq 'old'" } })
      .catch((e) => e);
    expect(byPool).toMatchObject({ statusCode: 400, code: 'InvalidQueryParameterValue' });
    // The SDK checks the range itself; a raw request shows what Batch answers.
    const list = `${sim.batchUrl('batchrenderweu')}/jobschedules?api-version=2022-10-01.16.0`;
    for (const maxResults of [0, 1001]) {
      const outOfRange = await httpsJson(`${list}&maxresults=${maxResults}`, sim.caCert, 'GET');
      expect(outOfRange).toMatchObject({
        status: 400,
        body: { code: 'OutOfRangeQueryParameterValue' },
      });
    }
    expect((await batch.jobSchedule.list({ jobScheduleListOptions: { maxResults: 1 } })).length).toBe(1);
    await batch.jobSchedule.patch('nightly', { jobSpecification: { poolInfo: { poolId: 'new' } } });
    expect((await batch.jobSchedule.get('nightly')).jobSpecification?.poolInfo?.poolId).toBe('new');
    const exists = await batch.job.add({ id: 'nightly', poolInfo: { poolId: 'new' } }).catch((e) => e);
    expect(exists).toMatchObject({ statusCode: 409, code: 'JobScheduleWithSameIdExists' });
  });
});

describe('job schedules run their jobs, and ended ones refuse changes', () => {
  it('makes its first job at once, names it recentJob, and the next only after that job completes', async () => {
    await batch.jobSchedule.add({
      id: 'hourly',
      schedule: { recurrenceInterval: 'PT1H' },
      jobSpecification: { poolInfo: { poolId: 'old' } },
    });
    const schedule = await batch.jobSchedule.get('hourly');
    expect(schedule.executionInfo?.recentJob?.id).toBe('hourly:job-1');
    expect(await batch.job.get('hourly:job-1')).toMatchObject({
      state: 'active',
      poolInfo: { poolId: 'old' },
    });
    // A PATCH of the schedule reaches only the jobs it makes next: the running one stays on old.
    await batch.jobSchedule.patch('hourly', { jobSpecification: { poolInfo: { poolId: 'new' } } });
    sim.clock.advance(3 * 60 * MINUTE);
    expect((await batch.jobSchedule.get('hourly')).executionInfo?.recentJob?.id).toBe('hourly:job-1');
    expect((await batch.job.get('hourly:job-1')).poolInfo?.poolId).toBe('old');
    await batch.job.terminate('hourly:job-1');
    expect((await batch.job.get('hourly:job-1')).state).toBe('terminating');
    const late = await batch.task.add('hourly:job-1', { id: 't', commandLine: 'true' }).catch((e) => e);
    expect(late).toMatchObject({ statusCode: 409, code: 'JobBeingTerminated' });
    sim.clock.advance(1 * MINUTE);
    expect((await batch.job.get('hourly:job-1')).state).toBe('completed');
    expect((await batch.jobSchedule.get('hourly')).executionInfo?.recentJob?.id).toBe('hourly:job-2');
    expect((await batch.job.get('hourly:job-2')).poolInfo?.poolId).toBe('new');
  });

  it('refuses to change a terminating, completed or deleting schedule (409, Batch’s codes)', async () => {
    const spec = { jobSpecification: { poolInfo: { poolId: 'new' } } };
    for (const id of ['ends', 'goes'])
      await batch.jobSchedule.add({
        id,
        schedule: { recurrenceInterval: 'P1D' },
        jobSpecification: { poolInfo: { poolId: 'old' } },
      });
    await batch.jobSchedule.terminate('ends');
    await batch.jobSchedule.deleteMethod('goes');
    expect(await batch.jobSchedule.patch('ends', spec).catch((e) => e)).toMatchObject({
      statusCode: 409,
      code: 'JobScheduleBeingTerminated',
    });
    expect(await batch.jobSchedule.patch('goes', spec).catch((e) => e)).toMatchObject({
      statusCode: 409,
      code: 'JobScheduleBeingDeleted',
    });
    sim.clock.advance(1 * MINUTE);
    expect(await batch.jobSchedule.get('ends')).toMatchObject({ state: 'completed' });
    expect((await batch.job.get('ends:job-1')).state).toBe('completed');
    expect(await batch.jobSchedule.patch('ends', spec).catch((e) => e)).toMatchObject({
      statusCode: 409,
      code: 'JobScheduleCompleted',
    });
    expect(await batch.jobSchedule.get('goes').catch((e) => e)).toMatchObject({ statusCode: 404 });
    expect(await batch.job.get('goes:job-1').catch((e) => e)).toMatchObject({ statusCode: 404 });
  });
});

describe('the smoke test job through the product adapter', () => {
  it('takes an existing job on the same pool as its own (any case), and refuses one on another pool', async () => {
    const { batchJobs } = adaptersFor(sim);
    expect(await batchJobs.addJob(ACCOUNT_WEU, 'bif-smoke-new', 'new')).toBe('created');
    expect(await batchJobs.addJob(ACCOUNT_WEU, 'BIF-SMOKE-NEW', 'NEW')).toBe('exists');
    await batch.job.add({ id: 'bif-smoke-taken', poolInfo: { poolId: 'old' } });
    const refused = await batchJobs.addJob(ACCOUNT_WEU, 'bif-smoke-taken', 'new').catch((e) => e);
    expect(refused).toMatchObject({ kind: 'permanent', code: 'JobExists' });
    expect(refused.message).toMatch(/already exists on pool old, not on new/);
  });
});

describe('moving a schedule through the product adapter', () => {
  it('sends back the jobSpecification as Batch gave it, properties unknown to @azure/batch 10.2 included', async () => {
    // Fields of Batch API versions newer than the SDK's 2022-10-01.16.0, set by another client.
    const jobSpecification = {
      poolInfo: { poolId: 'old' },
      priority: 5,
      networkConfiguration: { subnetId: '/subnets/x', skipWithdrawFromVNet: true },
      jobManagerTask: {
        id: 'jm',
        commandLine: 'run',
        containerSettings: {
          imageName: 'img',
          containerHostBatchBindMounts: [{ source: 'Shared', isReadOnly: true }],
        },
      },
    };
    const url = `${sim.batchUrl('batchrenderweu')}/jobschedules`;
    const added = await httpsJson(`${url}?api-version=2024-07-01.20.0`, sim.caCert, 'POST', {
      id: 'newer-fields',
      schedule: { recurrenceInterval: 'P1D' },
      jobSpecification,
    });
    expect(added.status).toBe(201);
    const before = await httpsJson(`${url}/newer-fields?api-version=2024-07-01.20.0`, sim.caCert, 'GET');
    expect(before.body.jobSpecification).toMatchObject(jobSpecification);
    const { batchJobs } = adaptersFor(sim);
    expect(await batchJobs.moveSchedule(ACCOUNT_WEU, 'newer-fields', 'old', 'new')).toBe('moved');
    const after = await httpsJson(`${url}/newer-fields?api-version=2024-07-01.20.0`, sim.caCert, 'GET');
    expect(after.body.jobSpecification).toEqual({
      ...before.body.jobSpecification,
      poolInfo: { poolId: 'new' },
    });
  });

  it('answers ended for a schedule Batch refuses to change, and leaves it as it was', async () => {
    await batch.jobSchedule.add({
      id: 'ended-move',
      schedule: { recurrenceInterval: 'P1D' },
      jobSpecification: { poolInfo: { poolId: 'old' } },
    });
    await batch.jobSchedule.terminate('ended-move');
    const { batchJobs } = adaptersFor(sim);
    expect(await batchJobs.moveSchedule(ACCOUNT_WEU, 'ended-move', 'old', 'new')).toBe('ended');
    expect((await batch.jobSchedule.get('ended-move')).jobSpecification?.poolInfo?.poolId).toBe('old');
    // Terminated between the read and the PATCH: Batch's 409 is an answer, not a failure.
    await batch.jobSchedule.add({
      id: 'ends-midway',
      schedule: { recurrenceInterval: 'P1D' },
      jobSpecification: { poolInfo: { poolId: 'old' } },
    });
    sim.addFault({
      kind: 'status',
      service: 'batch',
      method: 'PATCH',
      pathContains: '/jobschedules/ends-midway',
      status: 409,
      code: 'JobScheduleBeingTerminated',
      times: 1,
    });
    expect(await batchJobs.moveSchedule(ACCOUNT_WEU, 'ends-midway', 'old', 'new')).toBe('ended');
    // The fault was one answer only: the next attempt moves it.
    expect(await batchJobs.moveSchedule(ACCOUNT_WEU, 'ends-midway', 'old', 'new')).toBe('moved');
  });
});
