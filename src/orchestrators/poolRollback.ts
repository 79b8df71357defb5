import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import type { PoolRollout } from '../domain/pipeline';
import { activities, publish } from './steps';
import type { RegionRun } from './regionRun';
import { oldPoolText, restoreShrunkOldPool, type OldPoolRestore } from './oldPoolRestore';
import { poolEventFields, poolSubject, settlePoolFailed } from './poolEventFields';

/**
 * Rolls a new pool back: deletes it and keeps the pool it was to replace (no delete: its jobs keep
 * running there). When that pool was shrunk to make room for the new one (shrink-old-first), it is
 * resized back to the targets it had before the shrink once the new pool is gone: a pool being deleted
 * still holds its nodes' cores, and growing the old one sooner would stop at the quota
 * (AccountCoreQuotaReached). The pool's outcome is failed with `reason`, whatever it was, and
 * Pool.RolledBack says so (`keptPool`, `restoredOldPool`), after `failure` (the pool's Pool.Failed, when
 * the caller has not published it yet: it then carries the restore too). Called when a pool fails its
 * health gate or its smoke test, or its allocation after a shrink. Deleting a pool already gone is a no-op.
 */
export function* rollBackPool(
  context: OrchestrationContext,
  run: RegionRun,
  pool: PoolRollout,
  reason: string,
  failure?: EventToPublish,
) {
  yield* activities(context).deletePool({ account: pool.account, poolId: pool.poolId });
  let restored: OldPoolRestore | undefined;
  try {
    restored = yield* restoreShrunkOldPool(context, run, pool, true);
  } catch (error) {
    // The events below still say what became of the old pool (Pool.Failed promised it back).
    restored = { outcome: 'left-shrunk', error: messageOf(error) };
  }
  settlePoolFailed(run, pool, reason, { rolledBack: true });
  run.showStatus();
  yield* publish(context, run.sender, [
    ...(failure ? [withRestore(failure, pool, restored, true)] : []),
    {
      type: EVENT_TYPES.poolRolledBack,
      subject: poolSubject(pool),
      data: {
        ...poolEventFields(run, pool),
        reason,
        ...(pool.replaces ? { keptPool: pool.replaces } : {}),
        ...given(restored),
        ...(restored ? { fix: `The new pool was deleted and ${oldPoolText(pool, restored)}.` } : {}),
      },
    },
  ]);
}

/**
 * What a rollback leaves of the pool it was to replace, for a Pool.Failed sent before the rollback runs
 * (health gate, smoke test): untouched, or — shrunk for this cutover — resized back once the pool is gone.
 */
export function keptPoolText(pool: PoolRollout): string {
  if (!pool.replaces) return 'no pool was replaced';
  if (pool.cutover?.strategy !== 'shrink-old-first') return `pool ${pool.replaces} keeps serving, untouched`;
  const { poolId, fromDedicated, fromLowPriority } = pool.cutover.shrinkOld;
  return `pool ${poolId} keeps serving and, shrunk for this cutover, is resized back to ${fromDedicated} dedicated + ${fromLowPriority} low-priority nodes once this pool is gone (its shrink stopped if still running): Pool.RolledBack says how that went (oldPoolOutcome, restoredOldPool)`;
}

/**
 * New pools that ended before cutover — their PUT refused (`created` false) or their allocation failed,
 * timed out or stalled — with their Pool.Failed events. A pool whose old pool was shrunk for it gives the
 * old pool its targets back: a created one is rolled back (deleted, waited for while its cores still
 * count, then the restore), a refused one never held a core, so the old pool is restored at once.
 * `created` 'unknown' (a late failure: the status line cannot prove a PUT whose answer was lost did not
 * land): the pool is read from Batch first. A restore that fails for one pool fails only that pool's
 * restore: its Pool.Failed says the old pool stays shrunk and how to finish, and the next pools go on.
 * Answers the events still to publish: the other pools' (kept for inspection as before) and those of
 * pools whose restore failed; a rolled-back pool has published its own.
 */
export function* restoreAfterFailedCreation(
  context: OrchestrationContext,
  run: RegionRun,
  failed: { pool: PoolRollout; event: EventToPublish; created: boolean | 'unknown' }[],
) {
  const others: EventToPublish[] = [];
  for (const { pool, event, created } of failed) {
    const reason = String((event.data as { reason?: unknown }).reason ?? '');
    if (pool.cutover?.strategy !== 'shrink-old-first') {
      others.push(event);
      continue;
    }
    let there: boolean | undefined;
    try {
      there = yield* exists(context, pool, created);
      if (there) yield* rollBackPool(context, run, pool, reason, event);
      else {
        const restored = yield* restoreShrunkOldPool(context, run, pool, false);
        others.push(withRestore(event, pool, restored, false));
      }
    } catch (error) {
      const failed = { outcome: 'left-shrunk' as const, error: messageOf(error) };
      others.push(withRestore(event, pool, failed, there === true));
    }
  }
  return others;
}

/** Whether the new pool is in Batch (a pool being deleted counts: its cores are released as it goes). */
function* exists(context: OrchestrationContext, pool: PoolRollout, created: boolean | 'unknown') {
  if (created !== 'unknown') return created;
  const read = yield* activities(context).getPool({ account: pool.account, poolId: pool.poolId });
  return !!read;
}

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);

/** The events' fields on the old pool: what became of it, and how it stood when last read. */
const given = (restore: OldPoolRestore | undefined) =>
  restore
    ? {
        oldPoolOutcome: restore.outcome,
        ...(restore.restoredOldPool ? { restoredOldPool: restore.restoredOldPool } : {}),
      }
    : {};

/** A Pool.Failed that says what became of the new pool and of the old one it had shrunk. */
function withRestore(
  failure: EventToPublish,
  pool: PoolRollout,
  restore: OldPoolRestore | undefined,
  deleted: boolean,
) {
  if (failure.type !== EVENT_TYPES.poolFailed || !restore) return failure;
  const fate = deleted
    ? 'The pool was deleted (its nodes’ cores count against the quota until they are released)'
    : 'No pool was created';
  const data = { ...(failure.data as Record<string, unknown>) };
  delete data.disposition;
  return {
    ...failure,
    data: {
      ...data,
      ...(deleted ? { disposition: 'rolled-back' } : {}),
      ...given(restore),
      fix: `${fate} and ${oldPoolText(pool, restore)}. Fix the cause (reason, resizeErrors) or raise the quota, then submit the request again.`,
    },
  } as EventToPublish;
}
