import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import { describeCutover } from '../domain/cutover/capacity';
import { replanRegionPools } from '../domain/cutover/replan';
import type { PoolRollout } from '../domain/pipeline';
import type { Finding } from '../domain/findings';
import { activities, publish } from './steps';
import type { RegionRun } from './regionRun';
import { poolEventFields, poolSubject, settlePoolFailed } from './poolEventFields';

/**
 * Right before the region creates its pools: the accounts' quotas and pools read again (one account GET
 * and one pool list per account, as preflight), and the pools planned again with the same pure function.
 * The new plans replace the old ones in the run's input (every replay decides the same from the recorded
 * read); a pool that no longer fits at all is failed here, before anything is shrunk or created.
 */
export function* recheckCapacity(context: OrchestrationContext, run: RegionRun) {
  const { capacity } = run.input;
  const pools = run.input.pools.filter((p) => !run.settled.has(p.poolId));
  if (!capacity || pools.length === 0) return;
  const facts = yield* activities(context).readCapacityFacts({ accounts: pools.map((p) => p.account) });
  const replan = replanRegionPools(pools, facts, capacity);
  for (const next of replan.pools) {
    run.input.pools[run.input.pools.findIndex((p) => p.poolId === next.poolId)] = next;
    const described = describeCutover(next.cutover);
    const line = run.line(next.poolId);
    if (described) line.cutover = described;
    else delete line.cutover;
  }
  const refused = replan.pools.filter((p) => replan.refused[p.poolId]);
  const events = refused.map((p) => refuse(run, p, replan.refused[p.poolId]!));
  run.showStatus();
  if (events.length) yield* publish(context, run.sender, events);
}

/** Pool.Failed for a pool that no longer fits: nothing was created, nothing was resized. */
function refuse(run: RegionRun, pool: PoolRollout, found: Finding): EventToPublish {
  const reason = `capacity checked again before creating the pool: ${found.message}`;
  settlePoolFailed(run, pool, reason, { errors: [found.code] });
  const kept = pool.replaces ? `, and ${pool.replaces} was left as it is` : '';
  return {
    type: EVENT_TYPES.poolFailed,
    subject: poolSubject(pool),
    data: {
      ...poolEventFields(run, pool),
      reason,
      resizeErrors: [],
      fix: `Pool ${pool.poolId} was not created${kept}: the account's quota or pools changed since the request was planned. Do what the reason says, then submit the request again.`,
    },
  };
}
