import type { BatchJobsPort, JobReading, ScheduleReading, SmokeTaskReading } from '../../src/ports';
import { PermanentError } from '../../src/domain/errors';

/**
 * Jobs, schedules and tasks in memory, for unit tests of activities and orchestrators. It keeps Batch's
 * rule that a job's pool changes only while the job is disabled; `disable` ends at once (no running
 * tasks here). Over-the-wire tests use the simulator instead.
 */
export class FakeBatchJobs implements BatchJobsPort {
  jobs = new Map<string, JobReading>();
  schedules = new Map<string, ScheduleReading>();
  tasks = new Map<string, SmokeTaskReading[]>();
  calls: string[] = [];

  listJobsOnPool = async (_account: unknown, poolId: string) =>
    [...this.jobs.values()].filter((j) => j.poolId === poolId).map((j) => structuredClone(j));
  getJob = async (_account: unknown, jobId: string) => structuredClone(this.jobs.get(jobId));
  addJob = async (_account: unknown, jobId: string, poolId: string) => {
    this.calls.push(`addJob ${jobId}`);
    if (this.jobs.has(jobId)) return 'exists' as const;
    this.jobs.set(jobId, { jobId, state: 'active', poolId, metadata: [] });
    return 'created' as const;
  };
  patchJob = async (
    _account: unknown,
    jobId: string,
    changes: { poolId?: string; metadata?: { name: string; value: string }[] },
  ) => {
    this.calls.push(`patchJob ${jobId}${changes.poolId ? ` pool=${changes.poolId}` : ''}`);
    const job = this.must(jobId);
    if (changes.poolId && job.state !== 'disabled')
      throw new PermanentError(`job ${jobId} is ${job.state}`, 'OperationInvalidForCurrentState', jobId);
    if (changes.poolId) job.poolId = changes.poolId;
    if (changes.metadata) job.metadata = changes.metadata;
  };
  disableJob = async (_account: unknown, jobId: string) => {
    this.calls.push(`disableJob ${jobId}`);
    this.must(jobId).state = 'disabled';
  };
  enableJob = async (_account: unknown, jobId: string) => {
    this.calls.push(`enableJob ${jobId}`);
    this.must(jobId).state = 'active';
  };
  deleteJob = async (_account: unknown, jobId: string) => {
    this.calls.push(`deleteJob ${jobId}`);
    this.jobs.delete(jobId);
    this.tasks.delete(jobId);
  };
  listSchedules = async () => [...this.schedules.values()].map((s) => ({ ...s }));
  moveSchedule = async (_account: unknown, scheduleId: string, from: string, to: string) => {
    const schedule = this.schedules.get(scheduleId);
    if (!schedule) return 'missing' as const;
    if (schedule.poolId === to) return 'already' as const;
    if (schedule.poolId !== from) return 'elsewhere' as const;
    if (['completed', 'terminating', 'deleting'].includes(schedule.state)) return 'ended' as const;
    this.calls.push(`moveSchedule ${scheduleId} ${to}`);
    schedule.poolId = to;
    return 'moved' as const;
  };
  addTasks = async (_account: unknown, jobId: string, tasks: { id: string }[]) => {
    this.calls.push(`addTasks ${jobId}`);
    this.must(jobId);
    const existing = this.tasks.get(jobId) ?? [];
    for (const t of tasks)
      if (!existing.some((e) => e.taskId === t.id))
        existing.push({ taskId: t.id, state: 'completed', exitCode: 0 });
    this.tasks.set(jobId, existing);
  };
  listTasks = async (_account: unknown, jobId: string) =>
    this.jobs.has(jobId) ? structuredClone(this.tasks.get(jobId) ?? []) : undefined;

  private must(jobId: string): JobReading {
    const job = this.jobs.get(jobId);
    if (!job) throw new PermanentError(`job ${jobId} not found`, 'JobNotFound', jobId);
    return job;
  }
}
