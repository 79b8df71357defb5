import type { OrchestrationContext } from 'durable-functions';
import type { EventToPublish } from '../domain/events';
import type { PoolRollout } from '../domain/pipeline';
import { activities, nextInterval, nowMs, sleep } from './steps';
import type { RegionRun } from './regionRun';
import { failPool } from './regionPools';

/**
 * How long a pool an earlier run made may take to go. Batch deletes a pool in minutes (its nodes are
 * deallocated first); a delete still running after this is stuck, and the pool is failed with the reason.
 */
export const REPLACE_DEADLINE_MS = 30 * 60_000;

/**
 * Pools whose id held a pool an earlier run of this request made (createPool answered 'replacing': its
 * delete has started): wait until each is gone, then create it again. Batch refuses the id while the old
 * pool goes (PoolBeingDeleted), so creating sooner would fail. Returns the events of pools that failed.
 */
export function* recreateReplacedPools(context: OrchestrationContext, run: RegionRun, pools: PoolRollout[]) {
  const { pollMinMs, pollMaxMs } = run.input.settings;
  const startedAt = nowMs(context);
  const events: EventToPublish[] = [];
  let pending = pools;
  let interval = pollMinMs;
  while (pending.length > 0 && nowMs(context) - startedAt < REPLACE_DEADLINE_MS) {
    yield* sleep(context, interval);
    const answers = yield* activities(context).getPool.each(
      pending.map((p) => ({ account: p.account, poolId: p.poolId })),
    );
    const gone = pending.filter((_, i) => !answers[i]);
    const created = yield* activities(context).createPool.eachSettled(
      gone.map((p) => ({ account: p.account, spec: p.spec })),
    );
    gone.forEach((pool, i) => {
      const result = created[i]!;
      if (!result.ok) events.push(failPool(run, pool, result.error.message, [], [result.error.code]));
      else if (result.value !== 'replacing') run.line(pool.poolId).state = 'allocating';
    });
    pending = pending.filter((p) => !run.settled.has(p.poolId) && run.line(p.poolId).state === 'creating');
    interval = nextInterval(interval, false, pollMinMs, pollMaxMs);
  }
  for (const pool of pending)
    events.push(
      failPool(
        run,
        pool,
        `The pool an earlier run of this request made is still being deleted after ${REPLACE_DEADLINE_MS / 60_000} minutes; delete it (or wait) and submit the request again.`,
        [],
        ['PoolBeingDeleted'],
      ),
    );
  return events;
}
