import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import { waitDeadlines, type PoolRollout } from '../domain/pipeline';
import { activities, nextInterval, nowMs, publish, sleep } from './steps';
import type { RegionRun } from './regionRun';

type Shrink = PoolRollout & { cutover: Extract<PoolRollout['cutover'], { strategy: 'shrink-old-first' }> };

/**
 * Shrink-old-first (planned when old + new pools would not fit the account's core quota side by side):
 * before the new pools are created, each replaced pool is resized down by what is missing, letting
 * running tasks finish, and waited for until it holds no more than that; then the rollout continues as
 * blue/green (the new pool grows, the old one is drained and deleted). A shrink still running at the
 * drain deadline is reported on the pool's line; the new pool is created anyway and Batch's own quota
 * error, if any, fails it.
 */
export function* shrinkOldPoolsFirst(context: OrchestrationContext, run: RegionRun) {
  const shrinks = run.input.pools.filter(
    (p): p is Shrink => p.cutover?.strategy === 'shrink-old-first' && !run.settled.has(p.poolId),
  );
  if (shrinks.length === 0) return;
  for (const p of shrinks) run.line(p.poolId).state = `shrinking ${p.cutover.shrinkOld.poolId} first`;
  run.showStatus();
  const started = yield* activities(context).shrinkPool.each(
    shrinks.map((p) => ({ account: p.account, ...shrinkTarget(p), ...run.owner })),
  );
  const waiting = shrinks.filter((_, i) => started[i] === 'shrinking');
  yield* waitUntilShrunk(context, run, waiting);
  yield* publish(
    context,
    run.sender,
    shrinks
      .filter((_, i) => started[i] !== 'missing')
      .map((p) => ({
        type: EVENT_TYPES.poolShrunkForCutover,
        subject: `${p.account.id}/pools/${p.cutover.shrinkOld.poolId}`,
        data: {
          ...run.owner,
          accountId: p.account.id,
          poolId: p.cutover.shrinkOld.poolId,
          replacedBy: p.poolId,
          region: run.input.region,
          toDedicatedNodes: p.cutover.shrinkOld.toDedicated,
          toLowPriorityNodes: p.cutover.shrinkOld.toLowPriority,
          fromDedicatedNodes: p.cutover.shrinkOld.fromDedicated,
          fromLowPriorityNodes: p.cutover.shrinkOld.fromLowPriority,
          missingCores: p.cutover.missingCores,
        },
      })),
  );
}

function shrinkTarget(p: Shrink) {
  const { poolId, toDedicated, toLowPriority } = p.cutover.shrinkOld;
  return { poolId, toDedicated, toLowPriority };
}

/** Polls the shrinking pools until each is steady at or below its target (or gone), or the deadline. */
function* waitUntilShrunk(context: OrchestrationContext, run: RegionRun, shrinks: Shrink[]) {
  const { settings } = run.input;
  const deadline = nowMs(context) + waitDeadlines(settings).drainMs;
  let pending = shrinks;
  let interval = settings.pollMinMs;
  while (pending.length > 0 && nowMs(context) < deadline) {
    yield* sleep(context, Math.min(interval, Math.max(1_000, deadline - nowMs(context))));
    const answers = yield* activities(context).getPool.each(
      pending.map((p) => ({ account: p.account, poolId: p.cutover.shrinkOld.poolId })),
    );
    pending = pending.filter((p, i) => {
      const a = answers[i];
      if (!a) return false;
      const { toDedicated, toLowPriority } = p.cutover.shrinkOld;
      const shrunk =
        a.allocationState === 'steady' &&
        a.currentDedicatedNodes <= toDedicated &&
        a.currentLowPriorityNodes <= toLowPriority;
      return !shrunk;
    });
    interval = nextInterval(interval, false, settings.pollMinMs, settings.pollMaxMs);
  }
  for (const p of pending)
    run.line(p.poolId).state = `creating (${p.cutover.shrinkOld.poolId} still shrinking)`;
}
