import type { WaveLine } from '../domain/cutover/waves';
import { firstEntries, truncateText } from './statusBudget';

/**
 * Waves in a custom status (16 KB in all): every wave (at most MAX_WAVES, each a few hundred bytes),
 * its first regions only, its reason cut.
 */
export function boundedWaves(waves: readonly WaveLine[], limit: number): WaveLine[] {
  return waves.map((w) => ({
    ...w,
    regions: firstEntries(w.regions, limit),
    ...(w.reason !== undefined ? { reason: truncateText(w.reason) } : {}),
  }));
}
