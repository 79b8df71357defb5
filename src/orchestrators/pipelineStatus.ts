import { firstEntries, truncateText, withinBudget } from './statusBudget';

export type Stage =
  'preflight' | 'snapshot' | 'gallery' | 'version' | 'rollout' | 'retention' | 'completed' | 'failed';

/** What a rollout delivered, in full: the orchestration's output and its events carry this. */
export interface RolloutSummary {
  regionsReplicated: string[];
  regionsFailed: string[];
  poolsReady: string[];
  poolsFailed: string[];
}

/** The same in a custom status: the first entries of each list and how many there are in all. */
export type BoundedSummary = RolloutSummary & { counts: Record<keyof RolloutSummary, number> };

/** What the pipeline knows while it runs: every region and pool of the plan. */
export interface PipelineState {
  requestId: string;
  stage: Stage;
  version?: string;
  imageVersionId?: string;
  regions: { name: string; replicaCount: number; capacity: number }[];
  pools: { poolId: string; region: string }[];
  /** One per region, in the order of `regions`. */
  regionInstances: string[];
  startedAt: string;
  updatedAt: string;
  outcome?: RolloutSummary;
  error?: string;
}

/**
 * The pipeline's custom status (`GET /api/builds/{id}` → `pipeline`): the state with its lists cut to
 * their first entries (`regionInstances` follows `regions`), totals for the rest, the error truncated.
 */
export interface PipelineStatus extends Omit<PipelineState, 'outcome'> {
  regionsTotal: number;
  poolsTotal: number;
  outcome?: BoundedSummary;
}

export function boundedSummary(summary: RolloutSummary, limit: number): BoundedSummary {
  return {
    regionsReplicated: firstEntries(summary.regionsReplicated, limit),
    regionsFailed: firstEntries(summary.regionsFailed, limit),
    poolsReady: firstEntries(summary.poolsReady, limit),
    poolsFailed: firstEntries(summary.poolsFailed, limit),
    counts: {
      regionsReplicated: summary.regionsReplicated.length,
      regionsFailed: summary.regionsFailed.length,
      poolsReady: summary.poolsReady.length,
      poolsFailed: summary.poolsFailed.length,
    },
  };
}

export function pipelineStatus(state: PipelineState): PipelineStatus {
  return withinBudget((limit) => {
    const { outcome, error, ...rest } = state;
    return {
      ...rest,
      regions: firstEntries(state.regions, limit),
      regionsTotal: state.regions.length,
      pools: firstEntries(state.pools, limit),
      poolsTotal: state.pools.length,
      regionInstances: firstEntries(state.regionInstances, limit),
      ...(outcome ? { outcome: boundedSummary(outcome, limit) } : {}),
      ...(error !== undefined ? { error: truncateText(error) } : {}),
    };
  });
}
