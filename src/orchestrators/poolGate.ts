import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import type { PoolRollout } from '../domain/pipeline';
import type { PoolReading } from '../domain/poolState';
import {
  HEALTH_DEFAULTS,
  gateLastMomentMs,
  judgeGate,
  type GateMemory,
  type GateReading,
  type GateVerdict,
} from '../domain/cutover/healthGate';
import type { PoolNodeCounts } from '../ports';
import { activities, nextInterval, nowMs, publish, sleep } from './steps';
import type { RegionRun } from './regionRun';
import { failPool } from './regionPools';
import { keptPoolText, rollBackPool } from './poolRollback';

/** A pool steady at its target, with the reading that said so: what the gate starts from. */
export interface SteadyPool {
  pool: PoolRollout;
  reading: PoolReading;
}

/**
 * The health gate of the region's pools that reached their target: reads node counts (one request per
 * account per poll) until each pool passes (Pool.GatePassed, Pool.Ready), or fails (Pool.GateFailed,
 * Pool.Failed with its node counts and first node errors, then rollBackPool). Every pool's wait ends at
 * its gate's timeoutSeconds.
 */
export function* gatePools(context: OrchestrationContext, run: RegionRun, steady: SteadyPool[]) {
  const startedAtMs = nowMs(context);
  const memory = new Map<string, GateMemory>(steady.map((s) => [s.pool.poolId, { startedAtMs }]));
  const { pollMinMs, pollMaxMs } = run.input.settings;
  let pending = steady;
  let interval = pollMinMs;
  let first = true;
  while (pending.length > 0) {
    if (!first) yield* sleep(context, waitFor(context, pending, memory, interval));
    first = false;
    const counts = yield* countNodes(context, pending);
    const now = nowMs(context);
    const judged = pending.map((s) => {
      const verdict = judgeGate(policyOf(s.pool), memory.get(s.pool.poolId)!, gateReading(s, counts), now);
      if (verdict.kind === 'waiting') memory.set(s.pool.poolId, verdict.memory);
      showGate(run, s, verdict, counts);
      return { steady: s, verdict };
    });
    run.showStatus();
    yield* settlePassed(context, run, judged, counts);
    yield* settleFailed(context, run, judged, counts);
    pending = judged.filter((j) => j.verdict.kind === 'waiting').map((j) => j.steady);
    interval = nextInterval(interval, false, pollMinMs, pollMaxMs);
  }
}

const policyOf = (pool: PoolRollout) => pool.health ?? HEALTH_DEFAULTS;

/** Node counts of the pending pools: one activity (one Batch request) per account. */
function* countNodes(context: OrchestrationContext, pending: SteadyPool[]) {
  const byAccount = new Map<string, SteadyPool[]>();
  for (const s of pending) byAccount.set(s.pool.account.id, [...(byAccount.get(s.pool.account.id) ?? []), s]);
  const groups = [...byAccount.values()];
  const answers = yield* activities(context).countPoolNodes.each(
    groups.map((g) => ({ account: g[0]!.pool.account, poolIds: g.map((s) => s.pool.poolId) })),
  );
  return new Map(answers.flat().map((c) => [c.poolId.toLowerCase(), c]));
}

function gateReading(s: SteadyPool, counts: Map<string, PoolNodeCounts>): GateReading {
  const found = counts.get(s.pool.poolId.toLowerCase());
  const expectedNodes = s.reading.currentDedicatedNodes + s.reading.currentLowPriorityNodes;
  return { counts: found?.counts ?? {}, total: found?.total ?? 0, expectedNodes };
}

/**
 * Until the earliest moment a pending pool's verdict can change: the end of its settle period when it is
 * settling (a reading in between could not change the verdict, so none is made), else a poll interval;
 * never past its deadline.
 */
function waitFor(
  context: OrchestrationContext,
  pending: SteadyPool[],
  memory: Map<string, GateMemory>,
  interval: number,
): number {
  const now = nowMs(context);
  const moments = pending.map((s) => {
    const m = memory.get(s.pool.poolId)!;
    const policy = policyOf(s.pool);
    const since = m.healthySinceMs ?? m.badSinceMs;
    const next = since !== undefined ? since + policy.settleSeconds * 1000 : now + interval;
    return Math.min(next, gateLastMomentMs(policy, m));
  });
  return Math.max(1_000, Math.min(...moments) - now);
}

function showGate(run: RegionRun, s: SteadyPool, verdict: GateVerdict, counts: Map<string, PoolNodeCounts>) {
  const found = counts.get(s.pool.poolId.toLowerCase());
  Object.assign(run.line(s.pool.poolId), {
    state: verdict.kind === 'waiting' ? 'gating' : run.line(s.pool.poolId).state,
    gate: {
      verdict: verdict.kind,
      healthyPercent: verdict.healthyPercent,
      minHealthyPercent: policyOf(s.pool).minHealthyPercent,
      counts: Object.fromEntries(Object.entries(found?.counts ?? {}).filter(([, n]) => n > 0)),
    },
  });
}

type Judged = { steady: SteadyPool; verdict: GateVerdict };

function gateData(run: RegionRun, s: SteadyPool, verdict: GateVerdict, counts?: PoolNodeCounts) {
  const policy = policyOf(s.pool);
  return {
    ...run.owner,
    accountId: s.pool.account.id,
    poolId: s.pool.poolId,
    region: run.input.region,
    imageVersionId: run.input.versionId,
    nodeCounts: counts?.counts ?? {},
    totalNodes: counts?.total ?? 0,
    healthyPercent: verdict.healthyPercent,
    minHealthyPercent: policy.minHealthyPercent,
    settleSeconds: policy.settleSeconds,
    reason: verdict.reason,
  };
}

/** Passed: ready from now on; Pool.GatePassed, then Pool.Ready as before the gate existed. */
function* settlePassed(
  context: OrchestrationContext,
  run: RegionRun,
  judged: Judged[],
  counts: Map<string, PoolNodeCounts>,
) {
  const passed = judged.filter((j) => j.verdict.kind === 'passed');
  if (passed.length === 0) return;
  const events = passed.flatMap(({ steady: s, verdict }): EventToPublish[] => {
    const { pool, reading } = s;
    run.line(pool.poolId).state = 'ready';
    run.settled.set(pool.poolId, { poolId: pool.poolId, accountId: pool.account.id, state: 'ready' });
    const subject = `${pool.account.id}/pools/${pool.poolId}`;
    const found = counts.get(pool.poolId.toLowerCase());
    return [
      { type: EVENT_TYPES.poolGatePassed, subject, data: gateData(run, s, verdict, found) },
      {
        type: EVENT_TYPES.poolReady,
        subject,
        data: {
          ...run.owner,
          accountId: pool.account.id,
          poolId: pool.poolId,
          region: run.input.region,
          imageVersionId: run.input.versionId,
          currentDedicatedNodes: reading.currentDedicatedNodes,
          currentLowPriorityNodes: reading.currentLowPriorityNodes,
        },
      },
    ];
  });
  run.showStatus();
  yield* publish(context, run.sender, events);
}

/**
 * Failed: the first node errors Batch reports (one filtered node list per pool), Pool.GateFailed and
 * Pool.Failed with the counts and errors, then the new pool is rolled back.
 */
function* settleFailed(
  context: OrchestrationContext,
  run: RegionRun,
  judged: Judged[],
  counts: Map<string, PoolNodeCounts>,
) {
  const failed = judged.filter((j) => j.verdict.kind === 'failed');
  if (failed.length === 0) return;
  const errors = yield* activities(context).readNodeErrors.each(
    failed.map((j) => ({ account: j.steady.pool.account, poolId: j.steady.pool.poolId })),
  );
  const events = failed.flatMap(({ steady: s, verdict }, i): EventToPublish[] => {
    const found = counts.get(s.pool.poolId.toLowerCase());
    const nodeErrors = errors[i] ?? [];
    const reason = `failed its health gate: ${verdict.reason}`;
    const failure = failPool(run, s.pool, reason, [], [...new Set(nodeErrors.map((e) => e.code))]);
    const kept = keptPoolText(s.pool);
    return [
      {
        type: EVENT_TYPES.poolGateFailed,
        subject: failure.subject,
        data: { ...gateData(run, s, verdict, found), nodeErrors },
      },
      failure.type === EVENT_TYPES.poolFailed
        ? {
            ...failure,
            data: {
              ...failure.data,
              disposition: 'rolled-back',
              fix: `The pool was deleted and ${kept}. Fix the image or start task (see nodeErrors), then submit a new version.`,
              nodeCounts: found?.counts ?? {},
              nodeErrors,
            },
          }
        : failure,
    ];
  });
  run.showStatus();
  yield* publish(context, run.sender, events);
  for (const { steady: s, verdict } of failed)
    yield* rollBackPool(context, run, s.pool, `failed its health gate: ${verdict.reason}`);
}
