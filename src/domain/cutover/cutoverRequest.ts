import { z } from 'zod';

/**
 * The request's `cutover` choices about capacity and strategy (issue #13, capacity part):
 * - `strategy`: "blue-green" (a new pool, then the old one drained and deleted), "in-place" (the pool
 *   the new one replaces takes the new image through the management plane, keeping its id: only
 *   allowed while it has no nodes), "auto" (in place where Batch allows it, blue/green elsewhere).
 * - `onInsufficientQuota`: when old + new pools do not fit the account's core quota, "shrink-old-first"
 *   (resize the old pool down by what is missing before the new one grows) or "refuse" (a finding).
 */
export const CUTOVER_STRATEGIES = ['blue-green', 'in-place', 'auto'] as const;
export const ON_INSUFFICIENT_QUOTA = ['shrink-old-first', 'refuse'] as const;

export const capacityCutoverSchema = z
  .object({
    strategy: z.enum(CUTOVER_STRATEGIES).default('blue-green'),
    onInsufficientQuota: z.enum(ON_INSUFFICIENT_QUOTA).default('shrink-old-first'),
  })
  .strict();

export type CapacityCutover = z.output<typeof capacityCutoverSchema>;

export const DEFAULT_CAPACITY_CUTOVER: CapacityCutover = {
  strategy: 'blue-green',
  onInsufficientQuota: 'shrink-old-first',
};
