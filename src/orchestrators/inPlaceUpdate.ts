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
 * pool is steady); an update Batch refuses fails that pool alone.
 */
export function* updatePoolsInPlace(context: OrchestrationContext, run: RegionRun) {
  const updates = run.input.pools.filter((p): p is InPlace => p.cutover?.strategy === 'in-place');
  if (updates.length === 0) return;
  const results = yield* activities(context).updatePoolInPlace.eachSettled(
    updates.map((p) => ({ account: p.account, poolId: p.cutover.poolId, spec: p.spec })),
  );
  const events = updates.map((p, i): EventToPublish => {
    const result = results[i]!;
    if (!result.ok) return failPool(run, p, result.error.message, [], [result.error.code]);
    run.settled.set(p.poolId, { poolId: p.poolId, accountId: p.account.id, state: 'ready' });
    Object.assign(run.line(p.poolId), { state: `ready (in place: ${p.cutover.poolId})`, targetNodes: 0 });
    return {
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
  });
  run.showStatus();
  yield* publish(context, run.sender, events);
}
