import type { OrchestrationContext } from 'durable-functions';
import { failPool } from './regionPools';
import { EVENT_TYPES, type EventToPublish } from '../domain/events';
import type { PoolOutcome, PoolRollout } from '../domain/pipeline';
import { parseDurationMs } from '../domain/duration';
import {
  judgeSmokeTest,
  smokeJobId,
  smokeTasks,
  type SmokeTaskReading,
  type SmokeTest,
  type SmokeVerdict,
} from '../domain/cutover/smokeTest';
import { activities, describeMs, nextInterval, nowMs, publish, sleep } from './steps';
import { keptPoolText, rollBackPool } from './poolRollback';
import { poolEventFields, poolSubject } from './poolEventFields';
import type { RegionRun } from './regionRun';

type Tested = PoolRollout & { checks: { smokeTest: SmokeTest } };

/**
 * Runs each ready pool's smoke test (a job with its tasks on the new pool), waits for the tasks up to
 * the test's timeout, and deletes the job whatever happened. A pool whose tasks do not all exit with a
 * success code is rolled back. Returns the region's pool outcomes as they stand afterwards.
 */
export function* smokeTestPools(context: OrchestrationContext, run: RegionRun, outcomes: PoolOutcome[]) {
  const tested = run.input.pools.filter(
    (p): p is Tested =>
      p.checks?.smokeTest !== undefined &&
      run.settled.get(p.poolId)?.state === 'ready' &&
      // A pool with no nodes (autoscale at rest, updated in place) has nowhere to run a task: no test.
      run.line(p.poolId).currentNodes > 0,
  );
  if (tested.length === 0) return outcomes;
  for (const p of tested) run.line(p.poolId).state = 'smoke-testing';
  run.showStatus();
  const jobs = tested.map((p) => ({ account: p.account, jobId: smokeJobId(p.poolId) }));
  const verdicts = new Map<string, { verdict: SmokeVerdict; tasks: SmokeTaskReading[] }>();
  try {
    const started = yield* activities(context).startSmokeTest.eachSettled(
      tested.map((p, i) => ({ ...jobs[i]!, poolId: p.poolId, tasks: smokeTasks(p.checks.smokeTest) })),
    );
    started.forEach((r, i) => {
      if (!r.ok)
        verdicts.set(tested[i]!.poolId, {
          verdict: { kind: 'failed', reason: `the smoke test could not start: ${r.error.message}` },
          tasks: [],
        });
    });
    yield* waitForVerdicts(context, run, tested, verdicts);
  } finally {
    // Whatever happened (failure, timeout, an exception above), the job goes.
    yield* activities(context).deleteJob.eachSettled(jobs);
  }
  yield* publishVerdicts(context, run, tested, verdicts);
  for (const p of tested) {
    const { verdict } = verdicts.get(p.poolId)!;
    run.line(p.poolId).smokeTest = verdict.kind === 'passed' ? 'passed' : 'failed';
    if (verdict.kind === 'failed') yield* failSmokeTested(context, run, p, verdict.reason);
    else run.line(p.poolId).state = 'ready';
  }
  run.showStatus();
  return run.input.pools.map((p) => run.settled.get(p.poolId)!);
}

/** Polls the tasks of every pool without a verdict until each has one or its timeout passes. */
function* waitForVerdicts(
  context: OrchestrationContext,
  run: RegionRun,
  tested: Tested[],
  verdicts: Map<string, { verdict: SmokeVerdict; tasks: SmokeTaskReading[] }>,
) {
  const { pollMinMs, pollMaxMs } = run.input.settings;
  const startedAt = nowMs(context);
  const timeoutOf = (p: Tested) => parseDurationMs(p.checks.smokeTest.timeout) ?? 30 * 60_000;
  let pending = tested.filter((p) => !verdicts.has(p.poolId));
  let interval = pollMinMs;
  const last = new Map<string, SmokeTaskReading[]>();
  while (pending.length > 0) {
    const deadline = startedAt + Math.max(...pending.map(timeoutOf));
    if (nowMs(context) >= deadline) break;
    yield* sleep(context, Math.min(interval, Math.max(1_000, deadline - nowMs(context))));
    const reads = yield* activities(context).readSmokeTest.each(
      pending.map((p) => ({ account: p.account, jobId: smokeJobId(p.poolId) })),
    );
    pending.forEach((p, i) => {
      const verdict = judgeSmokeTest(reads[i] ?? null, p.checks.smokeTest);
      last.set(p.poolId, reads[i] ?? []);
      if (verdict.kind !== 'running') verdicts.set(p.poolId, { verdict, tasks: reads[i] ?? [] });
    });
    const elapsed = nowMs(context) - startedAt;
    for (const p of pending.filter((q) => !verdicts.has(q.poolId) && elapsed >= timeoutOf(q)))
      verdicts.set(p.poolId, timedOut(last.get(p.poolId) ?? [], timeoutOf(p)));
    pending = pending.filter((p) => !verdicts.has(p.poolId));
    interval = nextInterval(interval, false, pollMinMs, pollMaxMs);
  }
  for (const p of pending) verdicts.set(p.poolId, timedOut(last.get(p.poolId) ?? [], timeoutOf(p)));
}

function timedOut(tasks: SmokeTaskReading[], timeoutMs: number) {
  const open = tasks.filter((t) => t.state !== 'completed').map((t) => t.taskId);
  return {
    verdict: {
      kind: 'failed' as const,
      reason: `smoke test timed out after ${describeMs(timeoutMs)}${open.length ? ` (still ${open.join(', ')})` : ''}; raise smokeTest.timeout or shorten the tasks`,
    },
    tasks,
  };
}

function* publishVerdicts(
  context: OrchestrationContext,
  run: RegionRun,
  tested: Tested[],
  verdicts: Map<string, { verdict: SmokeVerdict; tasks: SmokeTaskReading[] }>,
) {
  const events: EventToPublish[] = tested.map((p) => {
    const { verdict, tasks } = verdicts.get(p.poolId)!;
    return {
      type: EVENT_TYPES.poolSmokeTested,
      subject: poolSubject(p),
      data: {
        ...poolEventFields(run, p),
        jobId: smokeJobId(p.poolId),
        passed: verdict.kind === 'passed',
        ...(verdict.kind === 'failed' ? { reason: verdict.reason } : {}),
        tasks: tasks.map((t) => ({
          taskId: t.taskId,
          state: t.state,
          ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
          ...(t.result ? { result: t.result } : {}),
        })),
      },
    };
  });
  yield* publish(context, run.sender, events);
}

/** Pool.Failed (the pool is deleted, not kept for inspection), then the rollback. */
function* failSmokeTested(context: OrchestrationContext, run: RegionRun, pool: PoolRollout, reason: string) {
  const failure = failPool(run, pool, reason);
  const kept = keptPoolText(pool);
  if (failure.type === EVENT_TYPES.poolFailed) {
    const fix = `The pool was deleted and ${kept}. Fix the image or the smoke test, then submit a new version.`;
    yield* publish(context, run.sender, [
      { ...failure, data: { ...failure.data, disposition: 'rolled-back', fix } },
    ]);
  }
  yield* rollBackPool(context, run, pool, reason);
}
