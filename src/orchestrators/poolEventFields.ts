import { EVENT_TYPES, type EventData, type EventToPublish } from '../domain/events';
import type { PoolLine } from './regionStatus';
import type { RegionRun } from './regionRun';

/** The pool a region run's event or outcome is about (a rollout, or the cutover's old pool). */
interface PoolRef {
  account: { id: string };
  poolId: string;
}

/** The subject of a pool's events: the account and the pool, as consumers key on them. */
export const poolSubject = (pool: PoolRef) => `${pool.account.id}/pools/${pool.poolId}`;

/** The fields every pool event of a region run opens with: its owner, then where the pool is. */
export function poolEventFields(run: RegionRun, pool: PoolRef) {
  return { ...run.owner, accountId: pool.account.id, poolId: pool.poolId, region: run.input.region };
}

/**
 * Settles a pool as failed: its outcome stands from now on (whatever fails later), and its status line
 * says so, with `line`'s extra fields (errors, rolledBack).
 */
export function settlePoolFailed(
  run: RegionRun,
  pool: PoolRef,
  reason: string,
  line: Partial<PoolLine>,
): void {
  run.settled.set(pool.poolId, { poolId: pool.poolId, accountId: pool.account.id, state: 'failed', reason });
  Object.assign(run.line(pool.poolId), { state: 'failed', ...line });
}

type PoolFailedData = EventData<typeof EVENT_TYPES.poolFailed>;

/**
 * Settles a pool as failed and builds its Pool.Failed event: the owner and the pool, the reason, then the
 * caller's own fields (resize errors, disposition, fix) in the order consumers see them.
 */
export function poolFailedEvent(
  run: RegionRun,
  pool: PoolRef,
  reason: string,
  line: Partial<PoolLine>,
  data: Omit<PoolFailedData, keyof ReturnType<typeof poolEventFields> | 'reason'>,
): EventToPublish {
  settlePoolFailed(run, pool, reason, line);
  return {
    type: EVENT_TYPES.poolFailed,
    subject: poolSubject(pool),
    data: { ...poolEventFields(run, pool), reason, ...data },
  };
}
