/**
 * Batch jobs, job schedules and tasks as the simulator stores them: the body as sent (wire casing) plus
 * the instants that decide their state. Like pools, state that moves with time (a task running, a job
 * disabling until its running tasks end) is derived on read from these instants (jobClock.ts).
 */
export type JobState =
  'active' | 'disabling' | 'disabled' | 'enabling' | 'terminating' | 'completed' | 'deleting';

export interface BatchJobState {
  id: string;
  /** What Batch stores as given: poolInfo, priority, constraints, metadata, onAllTasksComplete… */
  spec: Record<string, unknown>;
  state: JobState;
  previousState?: JobState;
  stateTransitionSimMs: number;
  createdAtSimMs: number;
  lastModifiedSimMs: number;
  eTag: string;
  /** Tasks start no earlier than this (the job's add or the end of its last enable). */
  activeSinceSimMs: number;
  /** A job being deleted disappears at this instant. */
  deletingAtSimMs?: number;
  /** A job being terminated completes at this instant. */
  terminatedAtSimMs?: number;
  tasks: Record<string, BatchTaskState>;
}

export interface BatchTaskState {
  id: string;
  spec: Record<string, unknown>;
  createdAtSimMs: number;
  eTag: string;
  /** Set once the task is on a node; cleared when a disable with `requeue` puts it back in the queue. */
  startedAtSimMs?: number;
  /** The pool it ran on. */
  poolId?: string;
  /** How long the command runs and what it exits with (the account's task rules, see TaskRule). */
  runMs: number;
  exitCode: number;
  /** Ended early: terminated by a disable, or past its maxWallClockTime. */
  endedAtSimMs?: number;
  failure?: { category: 'usererror' | 'servererror'; code: string; message: string };
  requeueCount: number;
}

export interface BatchJobScheduleState {
  id: string;
  /** schedule, jobSpecification (its poolInfo names the pool), metadata, displayName. */
  spec: Record<string, unknown>;
  state: 'active' | 'disabled' | 'terminating' | 'completed' | 'deleting';
  stateTransitionSimMs?: number;
  createdAtSimMs: number;
  lastModifiedSimMs: number;
  eTag: string;
  /** The job it made last (`{id}:job-{n}`, as Batch names them) and how many it made. */
  recentJobId?: string;
  jobCount?: number;
  /** Terminating: completes at this instant; deleting: disappears (with its jobs) at this instant. */
  endsAtSimMs?: number;
}

/**
 * Scenario knob: how tasks behave. The first rule that matches a task decides its run time and exit
 * code; no rule: 2 minutes, exit 0. This is how a scenario makes a smoke task exit non-zero or holds
 * long-running tasks on a pool.
 */
export interface TaskRule {
  /** The task's job id starts with this. */
  jobIdPrefix?: string;
  /** The task runs on this pool. */
  poolId?: string;
  exitCode?: number;
  runMinutes?: number;
}

export const DEFAULT_TASK_RUN_MS = 2 * 60_000;
/** Batch removes a deleted job in the background; until then it answers with state `deleting`. */
export const JOB_DELETE_MS = 30_000;
/** An enabled job reads `enabling` this long, then `active` (BatchService.json JobState). */
export const JOB_ENABLE_MS = 5_000;
