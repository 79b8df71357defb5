import { firstEntries, truncateText, withinBudget } from './statusBudget';
import { boundedWaves } from './waveStatus';
import type {
  BoundedSummary,
  PipelineState,
  PipelineStatus,
  RolloutSummary,
  StatusFinding,
} from '../domain/status';

// The shapes live in the domain: the CLI and the status route read them too.
export type { BoundedSummary, PipelineState, PipelineStatus, RolloutSummary, Stage } from '../domain/status';

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
    const { outcome, error, findings, ...rest } = state;
    return {
      ...rest,
      regions: firstEntries(state.regions, limit),
      regionsTotal: state.regions.length,
      pools: firstEntries(state.pools, limit),
      poolsTotal: state.pools.length,
      regionInstances: firstEntries(state.regionInstances, limit),
      ...(outcome ? { outcome: boundedSummary(outcome, limit) } : {}),
      ...(error !== undefined ? { error: truncateText(error) } : {}),
      ...(state.waves ? { waves: boundedWaves(state.waves, limit) } : {}),
      ...(findings?.length ? boundedFindings(findings, limit) : {}),
    };
  });
}

/** The first findings (errors first), each message cut, and how many there are in all. */
function boundedFindings(findings: readonly StatusFinding[], limit: number) {
  return {
    findings: firstEntries(findings, limit, (f) => f.severity === 'error').map((f) => ({
      code: f.code,
      severity: f.severity,
      path: truncateText(f.path, 200),
      message: truncateText(f.message, 500),
    })),
    findingsTotal: findings.length,
  };
}
