import type { BatchAccountState } from '../model';
import type { World } from '../world';
import { parseDurationMs } from '../../../domain/duration';
import { etag } from './poolCreation';
import type { BatchJobScheduleState, BatchJobState } from './jobModel';
import { setJobState } from './jobClock';

/**
 * Brings an account's job schedules up to `now`, the way Batch runs them (BatchService.json `Schedule`):
 * an active schedule makes a job `{scheduleId}:job-{n}` from its jobSpecification when it is due — the
 * first at once (or at `doNotRunUntil`), the next one `recurrenceInterval` after the previous, but never
 * while the previous job is still active ("a Job Schedule can have at most one active Job under it …
 * the Batch service will not create the new Job until the previous Job finishes"). No recurrence: one
 * job. A terminating schedule completes (and ends its job), a deleted one disappears with its jobs.
 * Not modelled: `startWindow`, `doNotRunAfter`.
 */
export function runSchedules(world: World, account: BatchAccountState): void {
  const schedules = account.jobSchedules ?? {};
  const jobs = (account.jobs ??= {});
  const now = world.now();
  for (const [key, schedule] of Object.entries(schedules)) {
    if (schedule.endsAtSimMs !== undefined && now >= schedule.endsAtSimMs) {
      endSchedule(schedule, jobs, key, schedules);
      world.changed();
      continue;
    }
    if (schedule.state !== 'active') continue;
    const due = nextJobAt(schedule, jobs);
    if (due === undefined || due > now) continue;
    const n = (schedule.jobCount ?? 0) + 1;
    const id = `${schedule.id}:job-${n}`;
    jobs[id.toLowerCase()] = scheduleJob(world, schedule, id, due);
    schedule.jobCount = n;
    schedule.recentJobId = id;
    world.changed();
  }
}

/** When the schedule makes its next job; undefined while its job is active or when it makes no more. */
function nextJobAt(schedule: BatchJobScheduleState, jobs: Record<string, BatchJobState>) {
  const spec = (schedule.spec.schedule ?? {}) as { doNotRunUntil?: string; recurrenceInterval?: string };
  const first = Math.max(schedule.createdAtSimMs, Date.parse(spec.doNotRunUntil ?? '') || 0);
  if (!schedule.recentJobId) return first;
  const recent = jobs[schedule.recentJobId.toLowerCase()];
  if (recent && recent.state !== 'completed') return undefined;
  const interval = spec.recurrenceInterval ? parseDurationMs(spec.recurrenceInterval) : undefined;
  if (!interval) return undefined;
  const previousStart = recent?.createdAtSimMs ?? first;
  const finished = recent ? recent.stateTransitionSimMs : previousStart;
  return Math.max(previousStart + interval, finished);
}

function scheduleJob(world: World, schedule: BatchJobScheduleState, id: string, at: number): BatchJobState {
  return {
    id,
    spec: structuredClone((schedule.spec.jobSpecification ?? {}) as Record<string, unknown>),
    state: 'active',
    stateTransitionSimMs: at,
    createdAtSimMs: at,
    lastModifiedSimMs: at,
    eTag: etag(world),
    activeSinceSimMs: at,
    tasks: {},
  };
}

/** A terminated schedule completes and so does its job; a deleted one goes with its jobs. */
function endSchedule(
  schedule: BatchJobScheduleState,
  jobs: Record<string, BatchJobState>,
  key: string,
  schedules: Record<string, BatchJobScheduleState>,
): void {
  const at = schedule.endsAtSimMs!;
  schedule.endsAtSimMs = undefined;
  const recent = schedule.recentJobId ? jobs[schedule.recentJobId.toLowerCase()] : undefined;
  if (schedule.state === 'deleting') {
    delete schedules[key];
    const prefix = `${schedule.id.toLowerCase()}:job-`;
    for (const jobKey of Object.keys(jobs)) if (jobKey.startsWith(prefix)) delete jobs[jobKey];
    return;
  }
  schedule.state = 'completed';
  schedule.stateTransitionSimMs = at;
  if (recent && recent.state !== 'completed' && recent.state !== 'deleting')
    setJobState(recent, 'completed', at);
}
