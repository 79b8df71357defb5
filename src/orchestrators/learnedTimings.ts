import type { OrchestrationContext, Task } from 'durable-functions';
import type { PreflightResult, RegionOutcome } from '../domain/pipeline';
import type { RegionFacts } from '../domain/timings/observation';
import type { RegionExpectation } from '../domain/timings/learn';
import type { ActivityResult } from '../activities/result';
import type { InputOf, ResultOf } from './steps';

/**
 * The pipeline's two touches of learned timings: what each region is expected to take (read once at
 * the start, carried to the region rollouts as data so they stay deterministic), and what each region
 * took (recorded at the end). Both are best effort: a failure here never fails the build.
 */

/** Each target region's pool demand: nodes together and the VM size of its largest pool. */
export function regionFacts(plan: Pick<PreflightResult, 'targetRegions' | 'pools'>): RegionFacts[] {
  return plan.targetRegions.map((r) => {
    const pools = plan.pools.filter((p) => p.account.region === r.name);
    const nodesOf = (p: (typeof pools)[number]) =>
      p.spec.targetDedicatedNodes + p.spec.targetLowPriorityNodes;
    const largest = [...pools].sort((a, b) => nodesOf(b) - nodesOf(a))[0];
    return {
      region: r.name,
      replicaCount: r.replicaCount,
      nodes: pools.reduce((sum, p) => sum + nodesOf(p), 0),
      ...(largest ? { vmSize: largest.spec.vmSize } : {}),
    };
  });
}

type Advisory = 'expectTimings' | 'recordTimings';

/**
 * Advisory steps run once, without the orchestrator's transient retries (5 tries over minutes of
 * simulated time): history helps a pipeline, it must never hold one up. A failure is no history.
 */
function* once<K extends Advisory>(
  context: OrchestrationContext,
  name: K,
  input: InputOf<K>,
): Generator<Task, ResultOf<K> | undefined, ActivityResult<ResultOf<K>>> {
  try {
    const outcome = yield context.df.callActivity(name, input);
    return outcome.ok ? outcome.value : undefined;
  } catch {
    return undefined;
  }
}

export function* expectedTimings(context: OrchestrationContext, plan: PreflightResult) {
  const asks = regionFacts(plan).map(({ region, replicaCount, nodes }) => ({ region, replicaCount, nodes }));
  const outcome = yield* once(context, 'expectTimings', { asks });
  return outcome?.expectations ?? ({} as Record<string, RegionExpectation>);
}

export function* recordObservedTimings(
  context: OrchestrationContext,
  owner: { requestId: string; versionId: string },
  plan: PreflightResult,
  outcomes: RegionOutcome[],
) {
  const facts = regionFacts(plan);
  const regions = outcomes.flatMap((o) => {
    const mine = facts.find((f) => f.region === o.region);
    return mine && o.timeline ? [{ facts: mine, timeline: o.timeline }] : [];
  });
  if (regions.length === 0) return;
  // A failure means this run is not learned from; the build itself went as it went.
  yield* once(context, 'recordTimings', { ...owner, regions });
}
