import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import { waitDeadlines, type PoolRollout } from '../domain/pipeline';
import { activities, describeMs, nextInterval, nowMs, publish, sleep } from './steps';
import type { RegionRun } from './regionRun';
import type { JobMoveState, PoolWork } from '../activities/jobs';

type Pair = PoolRollout & { replaces: string };

interface PairWork extends PoolWork {
  pair: Pair;
  movedSchedules: string[];
  movedJobs: string[];
  failure?: string;
}

/**
 * Cutover of the work on each replaced pool, before it is drained: its job schedules move to the new
 * pool with their current jobs (a schedule's change never reaches the job it already made) and, when
 * the request asks (`migrateJobs`), its other jobs too (disable with wait, new pool, enable: the only
 * way Batch allows). Schedules and jobs that ended are skipped and reported. A pool whose migration fails part-way gets everything moved back and is
 * not retired. Returns the replaced pools to keep (not drain) and the problems to report.
 */
export function* migrateReplacedPools(context: OrchestrationContext, run: RegionRun, pairs: Pair[]) {
  if (pairs.length === 0) return { keep: [] as string[], problems: [] as string[] };
  const found = yield* activities(context).listPoolWork.each(
    pairs.map((p) => ({
      account: p.account,
      poolId: p.replaces,
      includeJobs: p.checks?.migrateJobs === true,
    })),
  );
  const work: PairWork[] = pairs.map((pair, i) => ({
    pair,
    ...found[i]!,
    movedSchedules: [],
    movedJobs: [],
  }));
  for (const w of work) if (hasWork(w)) run.line(w.pair.poolId).state = 'migrating jobs';
  run.showStatus();
  yield* moveAll(context, run, work, 'forward');
  const failed = work.filter((w) => w.failure !== undefined);
  if (failed.length > 0) yield* moveAll(context, run, failed, 'back');
  for (const w of work) noteOnStatus(run, w);
  run.showStatus();
  const events: EventToPublish[] = work.map((w) => migrationEvent(run, w));
  yield* publish(
    context,
    run.sender,
    events.filter((_, i) => hasWork(work[i]!) || work[i]!.failure),
  );
  return {
    keep: failed.map((w) => w.pair.replaces),
    problems: failed.map(
      (w) =>
        `moving the jobs of pool ${w.pair.replaces} to ${w.pair.poolId} failed (${w.failure}); everything moved was moved back and ${w.pair.replaces} was left in place`,
    ),
  };
}

const hasWork = (w: PairWork) =>
  w.schedules.length + w.jobs.length + w.skipped.schedules.length + w.skipped.jobs.length > 0;

/** Schedules, then jobs, of every pair at once; a failure is noted on its pair. */
function* moveAll(
  context: OrchestrationContext,
  run: RegionRun,
  work: PairWork[],
  direction: 'forward' | 'back',
) {
  const ends = (w: PairWork) =>
    direction === 'forward'
      ? { from: w.pair.replaces, to: w.pair.poolId }
      : { from: w.pair.poolId, to: w.pair.replaces };
  const scheduleResults = yield* activities(context).moveSchedules.eachSettled(
    work.map((w) => ({
      account: w.pair.account,
      scheduleIds: direction === 'forward' ? w.schedules : w.movedSchedules,
      ...ends(w),
    })),
  );
  scheduleResults.forEach((r, i) => {
    const w = work[i]!;
    if (!r.ok) w.failure ??= r.error.message;
    else if (direction === 'forward') {
      w.movedSchedules = r.value.moved;
      w.skipped.schedules.push(...r.value.skipped);
    } else if (r.value.skipped.length)
      w.failure = `${w.failure}; schedules not moved back: ${r.value.skipped.join(', ')}`;
  });
  const jobs = work.flatMap((w) =>
    (direction === 'forward' ? (w.failure ? [] : w.jobs) : w.jobs).map((jobId) => ({ w, jobId })),
  );
  const states = yield* waitForJobMoves(context, run, jobs, ends);
  jobs.forEach(({ w, jobId }, i) => {
    const state = states[i]!;
    if (direction === 'forward' && state === 'moved') w.movedJobs.push(jobId);
    if (typeof state === 'object') w.failure ??= `job ${jobId}: ${state.error}`;
  });
}

/** Advances every job move until each is settled or the drain deadline passes. */
function* waitForJobMoves(
  context: OrchestrationContext,
  run: RegionRun,
  jobs: { w: PairWork; jobId: string }[],
  ends: (w: PairWork) => { from: string; to: string },
) {
  const states: (JobMoveState | { error: string })[] = jobs.map(() => 'waiting');
  const { pollMinMs, pollMaxMs } = run.input.settings;
  const { drainMs } = waitDeadlines(run.input.settings);
  const deadline = nowMs(context) + drainMs;
  let interval = pollMinMs;
  for (;;) {
    const open = jobs.flatMap((_, i) => (states[i] === 'waiting' ? [i] : []));
    if (open.length === 0) return states;
    if (nowMs(context) >= deadline) {
      for (const i of open) states[i] = { error: `still disabling after ${describeMs(drainMs)}` };
      return states;
    }
    const results = yield* activities(context).advanceJobMove.eachSettled(
      open.map((i) => ({ account: jobs[i]!.w.pair.account, jobId: jobs[i]!.jobId, ...ends(jobs[i]!.w) })),
    );
    results.forEach((r, k) => (states[open[k]!] = r.ok ? r.value : { error: r.error.message }));
    if (states.some((s) => s === 'waiting')) {
      yield* sleep(context, interval);
      interval = nextInterval(interval, false, pollMinMs, pollMaxMs);
    }
  }
}

/** The pool's status line: what moved, and whether it went back (the old pool then stays). */
function noteOnStatus(run: RegionRun, w: PairWork) {
  const line = run.line(w.pair.poolId);
  line.state = w.failure !== undefined ? `ready (kept ${w.pair.replaces})` : 'ready';
  line.migration = {
    schedules: w.movedSchedules.length,
    jobs: w.movedJobs.length,
    ...(w.failure !== undefined ? { movedBack: true } : {}),
  };
}

function migrationEvent(run: RegionRun, w: PairWork): EventToPublish {
  const base = {
    ...run.owner,
    accountId: w.pair.account.id,
    poolId: w.pair.poolId,
    replaces: w.pair.replaces,
  };
  const subject = `${w.pair.account.id}/pools/${w.pair.replaces}`;
  if (w.failure !== undefined)
    return {
      type: EVENT_TYPES.poolJobsMovedBack,
      subject,
      data: { ...base, reason: w.failure, schedules: w.movedSchedules, jobs: w.jobs },
    };
  return {
    type: EVENT_TYPES.poolJobsMigrated,
    subject,
    data: { ...base, schedules: w.movedSchedules, jobs: w.movedJobs, skipped: w.skipped },
  };
}
