import { countBy, firstEntries, truncateText, withinBudget } from './statusBudget';
import type { RegionState, RegionStatus } from '../domain/status';

// The shapes live in the domain: the CLI and the status route read them too.
export type { PoolLine, RegionState, RegionStatus } from '../domain/status';

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
