import type { OrchestrationContext, Task } from 'durable-functions';
import type { PoolRollout } from '../domain/pipeline';
import type { PoolStatus } from '../ports';
import { activities, nextInterval, nowMs, sleep } from './steps';
import type { RegionRun } from './regionRun';
import { REPLACE_DEADLINE_MS } from './poolReplacement';

/** What became of the old pool a shrink-old-first cutover shrank, once its new pool ended early. */
export type OldPoolOutcome = 'resized-back' | 'stopped-short' | 'still-resizing' | 'left-shrunk' | 'gone';

/** The old pool as Batch reported it after the resize back was asked (events' `restoredOldPool`). */
export interface RestoredOldPool {
  poolId: string;
  toDedicatedNodes: number;
  toLowPriorityNodes: number;
  /** Its shrink was still running and was stopped (Pool Stop Resize) so that it could grow back. */
  stoppedShrink: boolean;
  allocationState: PoolStatus['allocationState'];
  currentDedicatedNodes: number;
  currentLowPriorityNodes: number;
  resizeErrors: { code: string; message: string }[];
}

export interface OldPoolRestore {
  outcome: OldPoolOutcome;
  restoredOldPool?: RestoredOldPool;
  /** The restore failed (Batch unreachable, refused): its error, for the fix. */
  error?: string;
}

/**
 * The shrink this pool's cutover made, undone; undefined when there was none. Batch resizes a steady pool
 * only, and the shrink (taskcompletion) may still run for hours: the activity stops it, and is asked again
 * until the pool is steady and the resize back is sent. The pool is then read until steady, so the events
 * report the nodes it reached and its resize errors (AllocationFailed, AccountCoreQuotaReached can stop it
 * short), not just an accepted PATCH. Each phase is bounded by REPLACE_DEADLINE_MS, reads back off to
 * pollMaxMs. `afterGone`: the new pool is being deleted, its nodes' cores count until they are released.
 */
export function* restoreShrunkOldPool(
  context: OrchestrationContext,
  run: RegionRun,
  pool: PoolRollout,
  afterGone: boolean,
) {
  if (pool.cutover?.strategy !== 'shrink-old-first') return undefined as OldPoolRestore | undefined;
  const { poolId, fromDedicated, fromLowPriority } = pool.cutover.shrinkOld;
  if (afterGone) {
    run.line(pool.poolId).state = `rolling back (${poolId} grows back once this pool is gone)`;
    run.showStatus();
    yield* waitUntilGone(context, run, pool);
  }
  const restore = {
    account: pool.account,
    poolId,
    toDedicated: fromDedicated,
    toLowPriority: fromLowPriority,
    requestId: run.owner.requestId,
  };
  let stoppedShrink = false;
  const answer = yield* pollUntil(
    context,
    run,
    function* () {
      const a = yield* activities(context).restoreShrunkPool(restore);
      stoppedShrink ||= a === 'stopped';
      return a;
    },
    (a) => a !== 'busy' && a !== 'stopped',
  );
  if (answer === 'missing') return gone;
  if (answer === 'busy' || answer === 'stopped') return { outcome: 'left-shrunk' } as OldPoolRestore;
  const read = yield* readUntilSteady(context, run, pool, poolId);
  if (!read) return gone;
  const restoredOldPool: RestoredOldPool = {
    poolId,
    toDedicatedNodes: fromDedicated,
    toLowPriorityNodes: fromLowPriority,
    stoppedShrink,
    allocationState: read.allocationState,
    currentDedicatedNodes: read.currentDedicatedNodes,
    currentLowPriorityNodes: read.currentLowPriorityNodes,
    resizeErrors: read.resizeErrors,
  };
  return { outcome: judge(restoredOldPool), restoredOldPool } as OldPoolRestore;
}

const gone: OldPoolRestore = { outcome: 'gone' };

function judge(read: RestoredOldPool): OldPoolOutcome {
  if (read.allocationState !== 'steady') return 'still-resizing';
  const reached =
    read.currentDedicatedNodes >= read.toDedicatedNodes &&
    read.currentLowPriorityNodes >= read.toLowPriorityNodes;
  return reached ? 'resized-back' : 'stopped-short';
}

/** The old pool, read until steady (or the deadline); undefined: it is gone. */
function* readUntilSteady(context: OrchestrationContext, run: RegionRun, pool: PoolRollout, poolId: string) {
  const read: PoolStatus | null = yield* pollUntil(
    context,
    run,
    () => activities(context).getPool({ account: pool.account, poolId }),
    (r) => !r || r.state === 'deleting' || r.allocationState === 'steady',
  );
  return !read || read.state === 'deleting' ? undefined : read;
}

/**
 * Asks `ask` until `done` says the answer is final or REPLACE_DEADLINE_MS has passed since the first ask,
 * waiting pollMinMs between asks and backing off to pollMaxMs; returns the last answer.
 */
function* pollUntil<T>(
  context: OrchestrationContext,
  run: RegionRun,
  ask: () => Generator<Task, T, unknown>,
  done: (answer: T) => boolean,
): Generator<Task, T, unknown> {
  const { pollMinMs, pollMaxMs } = run.input.settings;
  const startedAt = nowMs(context);
  let interval = pollMinMs;
  let answer = yield* ask();
  while (!done(answer) && nowMs(context) - startedAt < REPLACE_DEADLINE_MS) {
    yield* sleep(context, interval);
    answer = yield* ask();
    interval = nextInterval(interval, false, pollMinMs, pollMaxMs);
  }
  return answer;
}

/** Polls until the deleted pool is gone, or REPLACE_DEADLINE_MS (then the restore is tried anyway). */
function* waitUntilGone(context: OrchestrationContext, run: RegionRun, pool: PoolRollout) {
  const { pollMinMs, pollMaxMs } = run.input.settings;
  const startedAt = nowMs(context);
  let interval = pollMinMs;
  while (nowMs(context) - startedAt < REPLACE_DEADLINE_MS) {
    yield* sleep(context, interval);
    const left = yield* activities(context).getPool({ account: pool.account, poolId: pool.poolId });
    if (!left) return;
    interval = nextInterval(interval, false, pollMinMs, pollMaxMs);
  }
}

/** One sentence on the old pool, for a Pool.Failed or Pool.RolledBack `fix`; names the commands to finish by hand. */
export function oldPoolText(pool: PoolRollout, restore: OldPoolRestore): string {
  if (pool.cutover?.strategy !== 'shrink-old-first') return '';
  const { poolId: old, fromDedicated: d, fromLowPriority: l } = pool.cutover.shrinkOld;
  const targets = `${d} dedicated + ${l} low-priority nodes`;
  const resize = `az batch pool resize --pool-id ${old} --target-dedicated-nodes ${d} --target-low-priority-nodes ${l}`;
  const r = restore.restoredOldPool;
  const now = r ? `${r.currentDedicatedNodes} + ${r.currentLowPriorityNodes}` : '';
  const errors = r?.resizeErrors.length ? ` (${r.resizeErrors.map((e) => e.code).join(', ')})` : '';
  switch (restore.outcome) {
    case 'resized-back':
      return `${old}, shrunk for this cutover${r?.stoppedShrink ? ' (its shrink stopped)' : ''}, was resized back to ${targets}, its targets before the shrink, and is now steady with ${now} nodes`;
    case 'stopped-short':
      return `${old} was asked to resize back to ${targets} but stopped at ${now}${errors}: once the cause is fixed, run ${resize}`;
    case 'still-resizing':
      return `${old} was asked to resize back to ${targets} and was still resizing (${now} nodes) when this run stopped watching: check it with az batch pool show --pool-id ${old}`;
    case 'left-shrunk':
      return `${old}, shrunk for this cutover, stays shrunk: ${restore.error ? `resizing it back failed (${restore.error})` : 'its resize could not be stopped in time'}. Run az batch pool stop-resize --pool-id ${old} if it is still resizing, then, once it is steady, ${resize}`;
    case 'gone':
      return `${old}, shrunk for this cutover, no longer exists, so nothing was resized back`;
  }
}
