import type { BatchAccountState } from '../model';
import type { World } from '../world';
import { parseDurationMs } from '../../../domain/duration';
import { snapshotPool } from './allocation';
import { livePools } from './poolCreation';
import type { BatchJobState, BatchTaskState } from './jobModel';

/**
 * Brings an account's jobs and tasks up to `now`: tasks start once their job is active on a pool that
 * has nodes, end after their run time (or their maxWallClockTime), and a job disabling with `wait`
 * becomes disabled once its last running task ended; an enabled one is `enabling` a moment, then
 * active; a terminated one completes. Deleted jobs disappear. Called before every read
 * or write of jobs, so the state file holds what a reader last saw.
 */
export function liveJobs(world: World, account: BatchAccountState): Record<string, BatchJobState> {
  account.jobs ??= {};
  const now = world.now();
  const nodes = poolsWithNodes(world, account, now);
  const before = JSON.stringify(account.jobs);
  for (const [key, job] of Object.entries(account.jobs)) {
    if (job.deletingAtSimMs !== undefined && now >= job.deletingAtSimMs) {
      delete account.jobs[key];
      continue;
    }
    if (job.state === 'enabling' && now >= job.activeSinceSimMs)
      setJobState(job, 'active', job.activeSinceSimMs);
    if (job.terminatedAtSimMs !== undefined && now >= job.terminatedAtSimMs) {
      setJobState(job, 'completed', job.terminatedAtSimMs);
      job.terminatedAtSimMs = undefined;
    }
    const poolId = jobPoolId(job);
    for (const task of Object.values(job.tasks)) advanceTask(task, job, poolId, nodes, now);
    if (job.state === 'disabling') {
      const lastEnd = Math.max(0, ...Object.values(job.tasks).map((t) => runningUntil(t, now) ?? 0));
      if (lastEnd <= now) setJobState(job, 'disabled', Math.max(job.stateTransitionSimMs, lastEnd));
    }
  }
  // What time moved is saved like any write, so a restarted simulator answers the same.
  if (JSON.stringify(account.jobs) !== before) world.changed();
  return account.jobs;
}

export function jobPoolId(job: BatchJobState): string | undefined {
  const poolInfo = job.spec.poolInfo as { poolId?: string } | undefined;
  return poolInfo?.poolId;
}

export function setJobState(job: BatchJobState, state: BatchJobState['state'], atMs: number): void {
  if (job.state === state) return;
  job.previousState = job.state;
  job.state = state;
  job.stateTransitionSimMs = atMs;
}

/** When a running task ends; undefined when it is not running at `now`. */
export function runningUntil(task: BatchTaskState, now: number): number | undefined {
  if (task.startedAtSimMs === undefined || task.endedAtSimMs !== undefined) return undefined;
  const end = naturalEnd(task);
  return end > now ? end : undefined;
}

/** Ends with its run time, or its maxWallClockTime when that comes first. */
function naturalEnd(task: BatchTaskState): number {
  const wall = wallClockMs(task);
  return task.startedAtSimMs! + Math.min(task.runMs, wall ?? Infinity);
}

function wallClockMs(task: BatchTaskState): number | undefined {
  const constraints = task.spec.constraints as { maxWallClockTime?: string } | undefined;
  return constraints?.maxWallClockTime ? parseDurationMs(constraints.maxWallClockTime) : undefined;
}

function advanceTask(
  task: BatchTaskState,
  job: BatchJobState,
  poolId: string | undefined,
  nodes: Map<string, number>,
  now: number,
): void {
  if (task.endedAtSimMs !== undefined) return;
  if (task.startedAtSimMs === undefined) {
    // Only an active job schedules tasks, and only onto a pool that has nodes to run them.
    if (job.state !== 'active' || !poolId || !nodes.has(poolId.toLowerCase())) return;
    task.startedAtSimMs = Math.max(
      task.createdAtSimMs,
      job.activeSinceSimMs,
      nodes.get(poolId.toLowerCase())!,
    );
    task.poolId = poolId;
  }
  const end = naturalEnd(task);
  if (now < end) return;
  task.endedAtSimMs = end;
  const wall = wallClockMs(task);
  if (wall !== undefined && wall < task.runMs) {
    task.failure = {
      category: 'usererror',
      code: 'MaxWallClockTimeExceeded',
      message: 'The task exceeded its maximum wall clock time and was terminated.',
    };
  }
}

/** Pools of the account with nodes now → since when (their resize start: a close enough instant). */
function poolsWithNodes(world: World, account: BatchAccountState, now: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const pool of livePools(world, account)) {
    if (pool.deletingAtSimMs !== undefined) continue;
    const snap = snapshotPool(pool, now);
    if (snap.currentDedicatedNodes + snap.currentLowPriorityNodes > 0)
      out.set(pool.id.toLowerCase(), pool.createdAtSimMs);
  }
  return out;
}
