import type { PoolLine } from '../domain/status';

/** The health gate under a pool's line: "gate passed  100% idle/running (needs 95%)  10 idle". */
export function gateLine(pool: PoolLine): string | undefined {
  const gate = pool.gate;
  if (!gate) return undefined;
  const counts = Object.entries(gate.counts)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const rolledBack = pool.rolledBack ? '  rolled back (new pool deleted, replaced pool kept)' : '';
  return `        gate ${gate.verdict.padEnd(7)} ${gate.healthyPercent}% idle/running (needs ${gate.minHealthyPercent}%)  ${counts || 'no nodes'}${rolledBack}`;
}
