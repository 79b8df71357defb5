import type { Services } from './services';
import type { BatchAccountRef, SmokeTaskAdd, SmokeTaskReading } from '../ports';
import {
  hasEnded,
  markerFor,
  nextJobStep,
  schedulesOnPool,
  withMarker,
  withoutMarker,
  type JobReading,
  type JobStep,
} from '../domain/cutover/migration';

/**
 * Smoke test: the job with its tasks on the new pool. Idempotent: a retried add finds the job and the
 * tasks the first attempt made.
 */
export async function startSmokeTest(
  s: Services,
  input: { account: BatchAccountRef; poolId: string; jobId: string; tasks: SmokeTaskAdd[] },
): Promise<void> {
  await s.batchJobs.addJob(input.account, input.jobId, input.poolId);
  await s.batchJobs.addTasks(input.account, input.jobId, input.tasks);
}

/** The smoke tasks as Batch reports them; null when the job is gone. */
export async function readSmokeTest(
  s: Services,
  input: { account: BatchAccountRef; jobId: string },
): Promise<SmokeTaskReading[] | null> {
  return (await s.batchJobs.listTasks(input.account, input.jobId)) ?? null;
}

export const deleteJob = (s: Services, input: { account: BatchAccountRef; jobId: string }): Promise<void> =>
  s.batchJobs.deleteJob(input.account, input.jobId);

export interface PoolWork {
  schedules: string[];
  /** Jobs to move: the schedules' current jobs always, the pool's other jobs when asked. */
  jobs: string[];
  /**
   * On the pool but ending: schedules completed, terminating or being deleted, jobs terminating or being
   * deleted (Batch refuses to change them). Completed jobs are history, not listed.
   */
  skipped: { schedules: string[]; jobs: string[] };
}

/**
 * What runs on a pool: its job schedules and their current jobs (always: a change of a schedule only
 * reaches the jobs it makes next, and it makes none while its current job is active — left on the old
 * pool, that job would block the schedule for good) and, when asked, its other jobs.
 */
export async function listPoolWork(
  s: Services,
  input: { account: BatchAccountRef; poolId: string; includeJobs: boolean },
): Promise<PoolWork> {
  const { account, poolId } = input;
  const schedules = schedulesOnPool(await s.batchJobs.listSchedules(account), poolId);
  const current: JobReading[] = [];
  for (const schedule of schedules.move) {
    const job = schedule.recentJobId ? await s.batchJobs.getJob(account, schedule.recentJobId) : undefined;
    if (job && job.poolId?.toLowerCase() === poolId.toLowerCase()) current.push(job);
  }
  const others = input.includeJobs ? await s.batchJobs.listJobsOnPool(account, poolId) : [];
  const seen = new Set<string>();
  const jobs = [...current, ...others].filter((j) => {
    const key = j.jobId.toLowerCase();
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return {
    schedules: schedules.move.map((x) => x.scheduleId),
    jobs: jobs.filter((j) => !hasEnded(j.state)).map((j) => j.jobId),
    skipped: {
      schedules: schedules.ended,
      jobs: jobs.filter((j) => hasEnded(j.state) && j.state !== 'completed').map((j) => j.jobId),
    },
  };
}

/** Points each schedule that targets `from` at `to`; a schedule already on `to` counts as moved. */
export async function moveSchedules(
  s: Services,
  input: { account: BatchAccountRef; scheduleIds: string[]; from: string; to: string },
): Promise<{ moved: string[]; skipped: string[] }> {
  const moved: string[] = [];
  const skipped: string[] = [];
  for (const id of input.scheduleIds) {
    // 'ended' (completed or terminating since it was listed) and 'elsewhere' are skipped, not failures.
    const result = await s.batchJobs.moveSchedule(input.account, id, input.from, input.to);
    (result === 'moved' || result === 'already' ? moved : skipped).push(id);
  }
  return { moved, skipped };
}

export type JobMoveState = 'moved' | 'waiting' | 'missing' | 'ended' | 'elsewhere';

/**
 * Moves one job from pool `from` to pool `to` as far as it can go now, each step decided from the job
 * Batch reports (domain/cutover/migration.ts): mark → disable (wait) → new pool → enable. 'waiting'
 * while running tasks finish (the orchestrator calls again after a timer).
 */
export async function advanceJobMove(
  s: Services,
  input: { account: BatchAccountRef; jobId: string; from: string; to: string },
): Promise<JobMoveState> {
  const { account, jobId, from, to } = input;
  let job = await s.batchJobs.getJob(account, jobId);
  for (let steps = 0; steps < 8; steps++) {
    if (!job) return 'missing';
    const step: JobStep = nextJobStep(job, from, to);
    switch (step) {
      case 'done':
        return 'moved';
      case 'wait':
        return 'waiting';
      case 'ended':
      case 'elsewhere':
        return step;
      case 'mark': {
        const metadata = withMarker(job, markerFor(job, from, to));
        await s.batchJobs.patchJob(account, jobId, { metadata });
        job = { ...job, metadata };
        break;
      }
      case 'disable':
        await s.batchJobs.disableJob(account, jobId, 'wait');
        job = await s.batchJobs.getJob(account, jobId); // disabled now, or disabling until tasks end
        break;
      case 'repool':
        await s.batchJobs.patchJob(account, jobId, { poolId: to });
        job = { ...job, poolId: to } satisfies JobReading;
        break;
      case 'enable':
        await s.batchJobs.enableJob(account, jobId);
        job = { ...job, state: 'active' };
        break;
      case 'unmark': {
        const metadata = withoutMarker(job);
        await s.batchJobs.patchJob(account, jobId, { metadata });
        job = { ...job, metadata };
        break;
      }
    }
  }
  return 'waiting';
}
