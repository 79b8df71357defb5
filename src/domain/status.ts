import type { WaveLine } from './cutover/waves';

/**
 * What a running pipeline and its region rollouts report as custom status: the orchestrators write
 * these, `GET /api/builds/{id}`, `bif status` and the progress view read them.
 */

/**
 * When a run entered a stage, as its orchestrator saw it (`currentUtcDateTime`): the timeline the
 * dashboard draws. Added to the statuses below without changing anything they already carried.
 */
export interface StageMark {
  stage: string;
  at: string;
}

/** A finding as a status shows it: the plan's warnings, or what refused the request. */
export interface StatusFinding {
  code: string;
  severity: string;
  path: string;
  message: string;
}

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
  pools: { poolId: string; region: string; cutover?: string }[];
  /** One per region, in the order of `regions`. */
  regionInstances: string[];
  startedAt: string;
  updatedAt: string;
  outcome?: RolloutSummary;
  error?: string;
  /** With `waves` in the request: each wave's state (waiting for approval since, soak until). */
  waves?: WaveLine[];
  /** Each stage the pipeline entered, in order (the first and the latest when there were many). */
  timeline?: StageMark[];
  /** The plan's warnings once accepted; the findings that refused it when preflight did. */
  findings?: StatusFinding[];
}

/**
 * The pipeline's custom status (`GET /api/builds/{id}` → `pipeline`): the state with its lists cut to
 * their first entries (`regionInstances` follows `regions`), totals for the rest, the error truncated.
 */
export interface PipelineStatus extends Omit<PipelineState, 'outcome'> {
  /** All findings, when `findings` lists only the first ones. */
  findingsTotal?: number;
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
  /** Not plain blue/green: shrink-old-first or in place (src/domain/cutover/capacity.ts describeCutover). */
  cutover?: string;
  /** The health gate once the pool reached its target (docs/pools.md "The health gate"). */
  gate?: PoolGateLine;
  /** The pool failed its gate (or smoke test) and was deleted; the pool it replaces was left as it was. */
  rolledBack?: boolean;
  /** The pool's smoke test, once judged (issue #13). */
  smokeTest?: 'passed' | 'failed';
  /** Work moved from the pool it replaces: counts, and whether it was moved back after a failure. */
  migration?: { schedules: number; jobs: number; movedBack?: boolean };
}

export interface PoolGateLine {
  verdict: 'waiting' | 'passed' | 'failed';
  /** Share of the nodes idle or running, in percent (one decimal, rounded down). */
  healthyPercent: number;
  minHealthyPercent: number;
  /** Nodes per Batch node state, states with nodes only. */
  counts: Record<string, number>;
}

/** What a region rollout knows while it runs: a line for every pool of the region. */
export interface RegionState {
  region: string;
  stage:
    | 'replicating'
    | 'retrying'
    | 'replicated'
    | 'creating-pools'
    | 'retiring'
    | 'done'
    | 'failed'
    /** Replicated, its pools left alone: an earlier wave failed (src/orchestrators/waveHold.ts). */
    | 'held';
  replication: { state: string; progress: number; attempts: number; details?: string };
  pools: PoolLine[];
  updatedAt: string;
  reason?: string;
  /** Each stage the region entered, in order (the first and the latest when there were many). */
  timeline?: StageMark[];
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
