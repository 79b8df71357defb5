import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import type { PoolRollout } from '../domain/pipeline';
import { activities, publish } from './steps';
import type { RegionRun } from './regionRun';

/**
 * Rolls a new pool back: deletes it and leaves the pool it was to replace exactly as it is (no resize,
 * no delete: its jobs keep running there). The pool's outcome is failed with `reason`, whatever it was,
 * and Pool.RolledBack says so. Called when a pool fails its health gate, and meant for any later check
 * of a new pool (a smoke test) that finds it unfit. Deleting a pool that is already gone is a no-op.
 */
export function* rollBackPool(
  context: OrchestrationContext,
  run: RegionRun,
  pool: PoolRollout,
  reason: string,
) {
  yield* activities(context).deletePool({ account: pool.account, poolId: pool.poolId });
  run.settled.set(pool.poolId, { poolId: pool.poolId, accountId: pool.account.id, state: 'failed', reason });
  Object.assign(run.line(pool.poolId), { state: 'failed', rolledBack: true });
  run.showStatus();
  yield* publish(context, run.sender, [
    {
      type: EVENT_TYPES.poolRolledBack,
      subject: `${pool.account.id}/pools/${pool.poolId}`,
      data: {
        ...run.owner,
        accountId: pool.account.id,
        poolId: pool.poolId,
        region: run.input.region,
        reason,
        ...(pool.replaces ? { keptPool: pool.replaces } : {}),
      },
    },
  ]);
}
