import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import type { PoolRollout } from '../domain/pipeline';
import { activities, publish } from './steps';
import { failPool } from './regionPools';
import type { RegionRun } from './regionRun';

/**
 * A new pool that must not take over (failed smoke test or health gate): it is deleted, the pool it
 * replaces is left as it is with its jobs and schedules, and Pool.Failed + Pool.RolledBack say why.
 * Deleting is idempotent (a missing pool is already deleted), so a replay repeats nothing harmful.
 */
export function* rollBackPool(
  context: OrchestrationContext,
  run: RegionRun,
  pool: PoolRollout,
  reason: string,
) {
  yield* activities(context).deletePool({ account: pool.account, poolId: pool.poolId });
  const failed = failPool(run, pool, reason);
  run.line(pool.poolId).state = 'failed (rolled back)';
  run.showStatus();
  // The pool is deleted, not kept for inspection: Pool.Failed carries no disposition or fix for it.
  const data: Record<string, unknown> = { ...failed.data };
  delete data.disposition;
  delete data.fix;
  yield* publish(context, run.sender, [
    { ...failed, data } as typeof failed,
    {
      type: EVENT_TYPES.poolRolledBack,
      subject: `${pool.account.id}/pools/${pool.poolId}`,
      data: {
        ...run.owner,
        accountId: pool.account.id,
        poolId: pool.poolId,
        ...(pool.replaces ? { replaces: pool.replaces } : {}),
        reason,
      },
    },
  ]);
}
