import type { RegionOutcome } from '../domain/pipeline';
import type { RolloutSummary } from './pipelineStatus';
import { joinReasons } from './statusBudget';

/**
 * What the region outcomes add up to: the summary both orchestrators report, and, when anything fell
 * short, one reason naming every failed region, failed pool and late problem (a region that replicated
 * can still fail in ways that are no pool's own, e.g. an old pool left undrained).
 */
export function summarizeRollout(outcomes: RegionOutcome[]): { summary: RolloutSummary; shortfall?: string } {
  const summary: RolloutSummary = {
    regionsReplicated: outcomes.filter((o) => o.replicated).map((o) => o.region),
    regionsFailed: outcomes.filter((o) => !o.replicated).map((o) => o.region),
    poolsReady: outcomes.flatMap((o) => o.pools.filter((p) => p.state === 'ready').map((p) => p.poolId)),
    poolsFailed: outcomes.flatMap((o) => o.pools.filter((p) => p.state !== 'ready').map((p) => p.poolId)),
  };
  const reasons = [
    ...outcomes.filter((o) => !o.replicated).map((o) => `region ${o.region}: ${o.reason}`),
    ...outcomes.flatMap((o) =>
      o.pools.filter((p) => p.state === 'failed').map((p) => `pool ${p.poolId}: ${p.reason}`),
    ),
    ...outcomes.flatMap((o) =>
      o.replicated ? (o.problems ?? []).map((p) => `region ${o.region}: ${p}`) : [],
    ),
  ];
  return reasons.length ? { summary, shortfall: joinReasons(reasons) } : { summary };
}
