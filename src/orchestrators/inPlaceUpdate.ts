import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import type { PoolRollout } from '../domain/pipeline';
import { activities, publish } from './steps';
import { failPool } from './regionPools';
import type { RegionRun } from './regionRun';

type InPlace = PoolRollout & { cutover: Extract<PoolRollout['cutover'], { strategy: 'in-place' }> };

/**
 * In place (planned where the replaced pool has no nodes): the replaced pool takes the new image through
 * the management plane and keeps its id, so jobs and schedules that name it keep working; no new pool
 * is created and nothing is drained or deleted. The request's pool is settled ready at once (an empty
 * pool is steady); an update Batch refuses fails that pool alone. A pool that has nodes by now (read
 * right before the update) under "auto" becomes blue/green: its plan is dropped and createPools makes
 * the new pool; under "in-place" the activity fails it with the reason.
 */
export function* updatePoolsInPlace(context: OrchestrationContext, run: RegionRun) {
  const updates = run.input.pools.filter(
    (p): p is InPlace => p.cutover?.strategy === 'in-place' && !run.settled.has(p.poolId),
  );
  if (updates.length === 0) return;
  const results = yield* activities(context).updatePoolInPlace.eachSettled(
    updates.map((p) => ({
      account: p.account,
      poolId: p.cutover.poolId,
      spec: p.spec,
      requested: p.cutover.requested,
    })),
  );
  const events = updates.flatMap((p, i): EventToPublish[] => {
    const result = results[i]!;
    if (!result.ok) return [failPool(run, p, result.error.message, [], [result.error.code])];
    if (result.value === 'has-nodes') {
      fallBackToBlueGreen(run, p);
      return [];
    }
    run.settled.set(p.poolId, { poolId: p.poolId, accountId: p.account.id, state: 'ready' });
    Object.assign(run.line(p.poolId), { state: `ready (in place: ${p.cutover.poolId})`, targetNodes: 0 });
    const updated: EventToPublish = {
      type: EVENT_TYPES.poolUpdatedInPlace,
      subject: `${p.account.id}/pools/${p.cutover.poolId}`,
      data: {
        ...run.owner,
        accountId: p.account.id,
        poolId: p.cutover.poolId,
        requestedPoolId: p.poolId,
        region: run.input.region,
        imageVersionId: run.input.versionId,
      },
    };
    return [updated];
  });
  run.showStatus();
  yield* publish(context, run.sender, events);
}

/** "auto" and the old pool has nodes now: this rollout becomes blue/green (a new pool, the old one retired). */
function fallBackToBlueGreen(run: RegionRun, pool: InPlace) {
  const at = run.input.pools.indexOf(pool);
  const blueGreen: PoolRollout = { ...pool };
  delete blueGreen.cutover;
  run.input.pools[at] = blueGreen;
  run.line(pool.poolId).cutover = `blue/green: ${pool.cutover.poolId} had nodes at update time`;
}
