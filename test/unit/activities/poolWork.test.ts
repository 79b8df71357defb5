import { listPoolWork, moveSchedules } from '../../../src/activities/jobs';
import type { Services } from '../../../src/activities/services';
import { FakeBatchJobs } from '../../helpers/fakeBatchJobs';

/** What the migration finds on a replaced pool and what it skips (in-memory Batch). */
const account = { id: 'acct', endpoint: 'https://acct', region: 'westeurope' };

function world() {
  const batchJobs = new FakeBatchJobs();
  const job = (jobId: string, state: string, poolId = 'old') =>
    batchJobs.jobs.set(jobId, { jobId, state, poolId, metadata: [] });
  job('nightly:job-3', 'active');
  job('done:job-1', 'completed');
  job('etl', 'active');
  job('going', 'deleting');
  job('finished', 'completed');
  const schedule = (scheduleId: string, state: string, recentJobId?: string, poolId = 'OLD') =>
    batchJobs.schedules.set(scheduleId, { scheduleId, state, poolId, recentJobId });
  schedule('nightly', 'active', 'nightly:job-3');
  schedule('paused', 'disabled');
  schedule('done', 'completed', 'done:job-1');
  schedule('stopping', 'terminating');
  schedule('elsewhere', 'active', undefined, 'other');
  return { batchJobs, services: { batchJobs } as unknown as Services };
}

describe('listPoolWork', () => {
  it("always takes an active schedule's current job, even without migrateJobs", async () => {
    const { services } = world();
    expect(await listPoolWork(services, { account, poolId: 'old', includeJobs: false })).toEqual({
      schedules: ['nightly', 'paused'],
      jobs: ['nightly:job-3'],
      skipped: { schedules: ['done', 'stopping'], jobs: [] },
    });
  });

  it('adds the other jobs once each with migrateJobs; ending ones are skipped, completed ones ignored', async () => {
    const { services } = world();
    expect(await listPoolWork(services, { account, poolId: 'old', includeJobs: true })).toEqual({
      schedules: ['nightly', 'paused'],
      jobs: ['nightly:job-3', 'etl'],
      skipped: { schedules: ['done', 'stopping'], jobs: ['going'] },
    });
  });
});

describe('moveSchedules', () => {
  it('counts a schedule that ended meanwhile as skipped, not as a failure', async () => {
    const { services, batchJobs } = world();
    batchJobs.schedules.get('paused')!.poolId = 'old';
    batchJobs.schedules.get('nightly')!.poolId = 'old';
    batchJobs.schedules.get('nightly')!.state = 'terminating';
    const result = await moveSchedules(services, {
      account,
      scheduleIds: ['nightly', 'paused'],
      from: 'old',
      to: 'new',
    });
    expect(result).toEqual({ moved: ['paused'], skipped: ['nightly'] });
  });
});
