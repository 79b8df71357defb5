import type { WaveLine } from '../domain/cutover/waves';
import { firstEntries, truncateText } from './statusBudget';

/** Characters of a wave's reason per list entry allowed: the whole reason is in the error and Wave.Failed. */
const REASON_CHARS_PER_ENTRY = 15;
const APPROVER_CHARS = 60;

/**
 * Waves in a custom status (16 KB in all): every wave (at most MAX_WAVES), its first regions only, its
 * reason and approver cut — shorter as the budget's list limit shrinks, both gone at 0.
 */
export function boundedWaves(waves: readonly WaveLine[], limit: number): WaveLine[] {
  const reasonChars = limit * REASON_CHARS_PER_ENTRY;
  return waves.map(({ reason, approvedBy, approvedAt, ...w }) => ({
    ...w,
    regions: firstEntries(w.regions, limit),
    // At the tightest budget only what a wave waits for stays (state, since, until).
    ...(approvedAt !== undefined && limit > 0 ? { approvedAt } : {}),
    ...(approvedBy !== undefined && limit > 0
      ? { approvedBy: truncateText(approvedBy, APPROVER_CHARS) }
      : {}),
    ...(reason !== undefined && reasonChars > 0 ? { reason: truncateText(reason, reasonChars) } : {}),
  }));
}
