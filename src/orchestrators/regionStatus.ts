import { countBy, firstEntries, truncateText, withinBudget } from './statusBudget';

export interface PoolLine {
  poolId: string;
  state: string;
  allocationState?: string;
  currentNodes: number;
  targetNodes: number;
  errors?: string[];
}

/** What a region rollout knows while it runs: a line for every pool of the region. */
export interface RegionState {
  region: string;
  stage: 'replicating' | 'retrying' | 'replicated' | 'creating-pools' | 'retiring' | 'done' | 'failed';
  replication: { state: string; progress: number; attempts: number; details?: string };
  pools: PoolLine[];
  updatedAt: string;
  reason?: string;
}

/**
 * What `GET /api/builds/{id}` shows for a region: its replication, the first pool lines (failed ones
 * first), how many pools there are and how many are in each state, texts truncated.
 */
export interface RegionStatus extends RegionState {
  poolsTotal: number;
  /** Pools per state (`ready (replaced x)` counts as `ready`). */
  poolCounts: Record<string, number>;
}

const MAX_ERROR_CODES = 5;

export function regionStatus(state: RegionState): RegionStatus {
  const { details, ...replication } = state.replication;
  const { reason, ...rest } = state;
  return withinBudget((limit) => ({
    ...rest,
    replication: { ...replication, ...(details !== undefined ? { details: truncateText(details) } : {}) },
    pools: firstEntries(state.pools, limit, (p) => p.state === 'failed').map((p) =>
      p.errors ? { ...p, errors: p.errors.slice(0, MAX_ERROR_CODES) } : p,
    ),
    poolsTotal: state.pools.length,
    poolCounts: countBy(state.pools, (p) => p.state.split(' ')[0]!),
    ...(reason !== undefined ? { reason: truncateText(reason) } : {}),
  }));
}
