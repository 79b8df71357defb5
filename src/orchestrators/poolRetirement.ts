import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import { waitDeadlines, type PoolOutcome } from '../domain/pipeline';
import { activities, describeMs, nextInterval, nowMs, publish, sleep } from './steps';
import type { RegionRun } from './regionRun';
import { migrateReplacedPools } from './jobMigration';

/**
 * Blue/green: once the new pool is ready, drain the old one to 0 (taskcompletion), then delete it.
 * Draining waits at most the drain deadline; an old pool still draining then is left in place (not
 * deleted) and reported as a problem of the region.
 */
export function* retireReplacedPools(context: OrchestrationContext, run: RegionRun, outcomes: PoolOutcome[]) {
  const { input, status, owner } = run;
  const toRetire = input.pools.flatMap((p) =>
    // In place, the replaced pool is the one that took the new image: it stays.
    p.replaces &&
    p.cutover?.strategy !== 'in-place' &&
    outcomes.find((o) => o.poolId === p.poolId)?.state === 'ready'
      ? [{ ...p, replaces: p.replaces }]
      : [],
  );
  if (toRetire.length === 0) return [];
  // Work on the old pool moves first; a pool whose migration failed (and was moved back) stays.
  const migration = yield* migrateReplacedPools(context, run, toRetire);
  const retirable = toRetire.filter((p) => !migration.keep.includes(p.replaces));
  const drains = yield* activities(context).drainPool.each(
    retirable.map((p) => ({ account: p.account, poolId: p.replaces })),
  );
  const present = retirable.filter((_, i) => drains[i] !== 'missing');
  const { drainMs } = waitDeadlines(input.settings);
  const deadline = nowMs(context) + drainMs;
  let draining = present;
  let interval = input.settings.pollMinMs;
  while (draining.length > 0 && nowMs(context) < deadline) {
    yield* sleep(context, Math.min(interval, Math.max(1_000, deadline - nowMs(context))));
    const answers = yield* activities(context).getPool.each(
      draining.map((p) => ({ account: p.account, poolId: p.replaces })),
    );
    draining = draining.filter((_, i) => {
      const a = answers[i];
      return (
        a !== null &&
        a !== undefined &&
        !(a.allocationState === 'steady' && a.currentDedicatedNodes + a.currentLowPriorityNodes === 0)
      );
    });
    interval = nextInterval(interval, false, input.settings.pollMinMs, input.settings.pollMaxMs);
  }
  const problems = migration.problems.concat(
    draining.map(
      (p) =>
        `pool ${p.replaces} (replaced by ${p.poolId}) was still draining after ${describeMs(drainMs)}; it was left in place, not deleted`,
    ),
  );
  const retiring = present.filter((p) => !draining.includes(p));
  yield* activities(context).deletePool.each(
    retiring.map((p) => ({ account: p.account, poolId: p.replaces })),
  );
  for (const p of retiring) {
    const result = outcomes.find((o) => o.poolId === p.poolId)!;
    result.retired = p.replaces;
    const line = status.pools.find((s) => s.poolId === p.poolId)!;
    line.state = `ready (replaced ${p.replaces})`;
  }
  run.showStatus();
  if (retiring.length > 0) {
    yield* publish(
      context,
      run.sender,
      retiring.map((p) => ({
        type: EVENT_TYPES.poolRetired,
        subject: `${p.account.id}/pools/${p.replaces}`,
        data: { ...owner, accountId: p.account.id, poolId: p.replaces, replacedBy: p.poolId },
      })),
    );
  }
  return problems;
}
