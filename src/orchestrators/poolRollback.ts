import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import type { PoolRollout } from '../domain/pipeline';
import { activities, nextInterval, nowMs, publish, sleep } from './steps';
import type { RegionRun } from './regionRun';
import { REPLACE_DEADLINE_MS } from './poolReplacement';
import { poolEventFields, poolSubject, settlePoolFailed } from './poolEventFields';

/**
 * Rolls a new pool back: deletes it and keeps the pool it was to replace (no delete: its jobs keep
 * running there). When that pool was shrunk to make room for the new one (shrink-old-first), it is
 * resized back to the targets it had before the shrink once the new pool is gone: a pool being deleted
 * still holds its nodes' cores, and growing the old one sooner would stop at the quota
 * (AccountCoreQuotaReached). The pool's outcome is failed with
 * `reason`, whatever it was, and Pool.RolledBack says so (`keptPool`, `restoredOldPool`). Called when a
 * pool fails its health gate or its smoke test. Deleting a pool that is already gone is a no-op.
 */
export function* rollBackPool(
  context: OrchestrationContext,
  run: RegionRun,
  pool: PoolRollout,
  reason: string,
) {
  yield* activities(context).deletePool({ account: pool.account, poolId: pool.poolId });
  const restored = yield* restoreShrunkOldPool(context, run, pool);
  settlePoolFailed(run, pool, reason, { rolledBack: true });
  run.showStatus();
  yield* publish(context, run.sender, [
    {
      type: EVENT_TYPES.poolRolledBack,
      subject: poolSubject(pool),
      data: {
        ...poolEventFields(run, pool),
        reason,
        ...(pool.replaces ? { keptPool: pool.replaces } : {}),
        ...(restored ? { restoredOldPool: restored } : {}),
      },
    },
  ]);
}

/** The shrink this pool's cutover made, undone; undefined when there was none (or the old pool is gone). */
function* restoreShrunkOldPool(context: OrchestrationContext, run: RegionRun, pool: PoolRollout) {
  if (pool.cutover?.strategy !== 'shrink-old-first') return undefined;
  const { poolId, fromDedicated, fromLowPriority } = pool.cutover.shrinkOld;
  run.line(pool.poolId).state = `rolling back (${poolId} grows back once this pool is gone)`;
  run.showStatus();
  yield* waitUntilGone(context, run, pool);
  const answer = yield* activities(context).restoreShrunkPool({
    account: pool.account,
    poolId,
    toDedicated: fromDedicated,
    toLowPriority: fromLowPriority,
  });
  if (answer === 'missing') return undefined;
  return { poolId, toDedicatedNodes: fromDedicated, toLowPriorityNodes: fromLowPriority };
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
