import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import { describeCutover, type CapacityFacts } from '../domain/cutover/capacity';
import { replanRegionPools } from '../domain/cutover/replan';
import type { PoolRollout } from '../domain/pipeline';
import type { Finding } from '../domain/findings';
import { activities, publish } from './steps';
import type { RegionRun } from './regionRun';
import { poolEventFields, poolFailedEvent, poolSubject } from './poolEventFields';

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
  const facts = yield* activities(context).readCapacityFacts({
    accounts: pools.map((p) => p.account),
    requestId: run.owner.requestId,
  });
  const replan = replanRegionPools(pools, facts, capacity);
  const events: EventToPublish[] = [];
  for (const next of replan.pools) {
    const index = run.input.pools.findIndex((p) => p.poolId === next.poolId);
    const before = run.input.pools[index]!;
    run.input.pools[index] = next;
    const line = run.line(next.poolId);
    const described = describeCutover(next.cutover);
    if (described) line.cutover = described;
    else delete line.cutover;
    if (!replan.changed.includes(next.poolId) || replan.refused[next.poolId]) continue;
    // A changed strategy is said before it acts (a shrink of a pool in use): on the line and as an event.
    line.cutover = `${described ?? 'blue/green'} (re-planned, was ${describeCutover(before.cutover) ?? 'blue/green'})`;
    events.push(replanned(run, before, next, facts));
  }
  const refused = replan.pools.filter((p) => replan.refused[p.poolId]);
  events.push(...refused.map((p) => refuse(run, p, replan.refused[p.poolId]!)));
  run.showStatus();
  if (events.length) yield* publish(context, run.sender, events);
}

/** Pool.CutoverReplanned: the plan made at submission, the plan now, and the figures that decided it. */
function replanned(
  run: RegionRun,
  before: PoolRollout,
  next: PoolRollout,
  facts: CapacityFacts,
): EventToPublish {
  const plan = next.cutover ?? { strategy: 'blue-green' as const };
  const missingCores = plan.strategy === 'shrink-old-first' ? plan.missingCores : {};
  const quotas = facts[next.account.id.toLowerCase()]?.quotas;
  const reason =
    plan.strategy === 'shrink-old-first'
      ? `the account's quota or pools changed since the request was planned: the old and new pools no longer fit side by side (${describeMissing(missingCores)} missing), so ${plan.shrinkOld.poolId} shrinks to ${plan.shrinkOld.toDedicated}+${plan.shrinkOld.toLowPriority} nodes first (taskcompletion)`
      : `the account's quota or pools changed since the request was planned: the old and new pools fit side by side now: ${next.replaces ?? 'the old pool'} is not shrunk (blue/green)`;
  return {
    type: EVENT_TYPES.poolCutoverReplanned,
    subject: poolSubject(next),
    data: {
      ...poolEventFields(run, next),
      previousPlan: before.cutover ?? { strategy: 'blue-green' },
      plan,
      missingCores,
      ...(quotas
        ? {
            quotas: {
              dedicatedCoreQuota: quotas.dedicatedCoreQuota,
              lowPriorityCoreQuota: quotas.lowPriorityCoreQuota,
              perFamily: quotas.perFamily,
              perFamilyEnforced: quotas.perFamilyEnforced,
            },
          }
        : {}),
      reason,
      fix: 'Nothing to do if this plan suits you. Cores held by other pools count as read now (an autoscale peak included); to fail the pool instead of shrinking a pool in use, submit with cutover.onInsufficientQuota: "refuse".',
    },
  };
}

const describeMissing = (missing: Record<string, number>) =>
  Object.entries(missing)
    .map(([bucket, cores]) => `${cores} ${bucket} cores`)
    .join(', ');

/** Pool.Failed for a pool that no longer fits: nothing was created, nothing was resized. */
function refuse(run: RegionRun, pool: PoolRollout, found: Finding): EventToPublish {
  const reason = `capacity checked again before creating the pool: ${found.message}`;
  const kept = pool.replaces ? `, and ${pool.replaces} was left as it is` : '';
  return poolFailedEvent(
    run,
    pool,
    reason,
    { errors: [found.code] },
    {
      resizeErrors: [],
      fix: `Pool ${pool.poolId} was not created${kept}: the account's quota or pools changed since the request was planned. Do what the reason says, then submit the request again.`,
    },
  );
}
