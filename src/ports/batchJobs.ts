import type { BatchAccountRef } from '../domain/buildRequest';
import type { JobReading } from '../domain/cutover/migration';
import type { SmokeTaskAdd, SmokeTaskReading } from '../domain/cutover/smokeTest';

export type { JobReading, SmokeTaskAdd, SmokeTaskReading };

export interface ScheduleReading {
  scheduleId: string;
  state: string;
  /** jobSpecification.poolInfo.poolId; absent for auto-pool schedules. */
  poolId?: string;
  /** executionInfo.recentJob.id: the job it made last, which a change of the schedule never moves. */
  recentJobId?: string;
}

/**
 * Azure Batch jobs, job schedules and tasks (data plane, Entra ID auth): what the smoke test and the
 * job migration call. A missing job or schedule reads as undefined; every other failure is a typed
 * FactoryError (transient or permanent).
 */
export interface BatchJobsPort {
  /** Jobs whose pool is `poolId` (Batch filters server-side on executionInfo/poolId). */
  listJobsOnPool(account: BatchAccountRef, poolId: string): Promise<JobReading[]>;
  getJob(account: BatchAccountRef, jobId: string): Promise<JobReading | undefined>;
  /**
   * 'exists' when a job with that id is already there on `poolId` (a retried add); a job of that id on
   * another pool is a permanent error (not ours).
   */
  addJob(account: BatchAccountRef, jobId: string, poolId: string): Promise<'created' | 'exists'>;
  /** Batch changes a job's pool only while the job is disabled; metadata replaces the whole list. */
  patchJob(
    account: BatchAccountRef,
    jobId: string,
    changes: { poolId?: string; metadata?: { name: string; value: string }[] },
  ): Promise<void>;
  disableJob(
    account: BatchAccountRef,
    jobId: string,
    disableTasks: 'requeue' | 'terminate' | 'wait',
  ): Promise<void>;
  enableJob(account: BatchAccountRef, jobId: string): Promise<void>;
  /** A missing job is already deleted. */
  deleteJob(account: BatchAccountRef, jobId: string): Promise<void>;
  /** Every job schedule of the account: Batch cannot filter schedules by pool, the caller does. */
  listSchedules(account: BatchAccountRef): Promise<ScheduleReading[]>;
  /**
   * Points a schedule's jobSpecification at `toPool` when it targets `fromPool` (read, then PATCH of
   * the whole jobSpecification). 'already' when it targets `toPool`; 'elsewhere' when neither;
   * 'ended' when it is completed, terminating or being deleted (Batch refuses to change it).
   */
  moveSchedule(
    account: BatchAccountRef,
    scheduleId: string,
    fromPool: string,
    toPool: string,
  ): Promise<'moved' | 'already' | 'elsewhere' | 'missing' | 'ended'>;
  /** Adds tasks; one that exists already (a retried add) counts as added. */
  addTasks(account: BatchAccountRef, jobId: string, tasks: SmokeTaskAdd[]): Promise<void>;
  /** undefined when the job is gone. */
  listTasks(account: BatchAccountRef, jobId: string): Promise<SmokeTaskReading[] | undefined>;
}
