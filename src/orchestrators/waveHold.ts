import type { RegionOutcome } from '../domain/pipeline';
import type { RegionRun } from './regionRun';

/**
 * A region of a wave that may not cut over (an earlier wave failed): it has replicated, and its pools
 * are left exactly as they are — none created, no old pool drained — with the reason on each.
 */
export function holdCutover(run: RegionRun, reason: string): RegionOutcome {
  const { input, status } = run;
  status.stage = 'held';
  status.reason = `${reason}: no pool created or retired in ${input.region}`;
  for (const line of status.pools) line.state = 'skipped';
  run.showStatus();
  return {
    region: input.region,
    replicated: true,
    attempts: status.replication.attempts,
    pools: input.pools.map((p) => ({ poolId: p.poolId, accountId: p.account.id, state: 'skipped', reason })),
  };
}
