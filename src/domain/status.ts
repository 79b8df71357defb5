/**
 * What a running pipeline and its region rollouts report as custom status: the orchestrators write
 * these, `GET /api/builds/{id}`, `bif status` and the progress view read them.
 */

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

export interface PoolLine {
  poolId: string;
  state: string;
  allocationState?: string;
  currentNodes: number;
  targetNodes: number;
  errors?: string[];
  /** The pool's smoke test, once judged (issue #13). */
  smokeTest?: 'passed' | 'failed';
  /** Work moved from the pool it replaces: counts, and whether it was moved back after a failure. */
  migration?: { schedules: number; jobs: number; movedBack?: boolean };
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
