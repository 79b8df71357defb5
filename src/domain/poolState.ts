import { describeMs, parseDurationMs } from './duration';

/** Batch's default when a pool sets no resizeTimeout. */
export const DEFAULT_RESIZE_TIMEOUT_MS = 15 * 60_000;

/** What the pipeline asked of a pool. */
export interface PoolTarget {
  targetDedicatedNodes: number;
  targetLowPriorityNodes: number;
  resizeTimeout: string;
  /** Autoscale pools: the formula decides the targets (the request's `template.scaleSettings.autoScale`). */
  autoScale?: boolean;
}

/** One read of a pool while it allocates (Batch's allocationState, node counts, resize errors). */
export interface PoolReading {
  allocationState: string;
  currentDedicatedNodes: number;
  currentLowPriorityNodes: number;
  resizeErrors: { code: string; message: string }[];
  /** What the pool targets now (an autoscale pool: what its formula's evaluation asked for). */
  targetDedicatedNodes?: number;
  targetLowPriorityNodes?: number;
  /** Autoscale pools: the formula's last evaluation (Batch's autoScaleRun); absent until the first. */
  autoScale?: { lastRunAt?: string; error?: { code: string; message: string } };
}

export type PoolVerdict =
  | { kind: 'allocating'; currentNodes: number }
  | { kind: 'ready'; currentNodes: number }
  | { kind: 'failed'; reason: string; resizeErrors: PoolReading['resizeErrors'] };

/**
 * How long a pool may allocate: Batch ends a resize by its resizeTimeout, so past that plus a grace
 * period for the service to report it, waiting longer cannot help.
 */
export function allocationDeadlineMs(target: PoolTarget, graceMs: number): number {
  return (parseDurationMs(target.resizeTimeout) ?? DEFAULT_RESIZE_TIMEOUT_MS) + graceMs;
}

/**
 * Where a pool stands after `elapsedMs` of allocation. Ready only when steady with every node and no
 * resize error: a steady pool short of nodes will not grow by itself (Batch stopped the resize).
 */
export function classifyPool(
  target: PoolTarget,
  reading: PoolReading | null,
  elapsedMs: number,
  graceMs: number,
): PoolVerdict {
  if (!reading) return { kind: 'failed', reason: 'the pool disappeared while allocating', resizeErrors: [] };
  // An autoscale pool is ready once its formula is applied and an evaluation succeeded (then its
  // allocation settles like any pool's, toward what the formula asked). Batch evaluates the formula
  // again every evaluationInterval, and a young pool's evaluation fails with InsufficientSampleData
  // until enough metric samples exist: a failed evaluation is waited on, like an allocation, until the
  // deadline; then the last evaluation's error is the reason.
  const evaluation = target.autoScale ? reading.autoScale : undefined;
  const pendingEvaluation = target.autoScale === true && (!evaluation?.lastRunAt || !!evaluation.error);
  const wanted = target.autoScale
    ? (reading.targetDedicatedNodes ?? 0) + (reading.targetLowPriorityNodes ?? 0)
    : target.targetDedicatedNodes + target.targetLowPriorityNodes;
  const current = reading.currentDedicatedNodes + reading.currentLowPriorityNodes;
  if (reading.allocationState !== 'steady' || pendingEvaluation) {
    if (elapsedMs < allocationDeadlineMs(target, graceMs))
      return { kind: 'allocating', currentNodes: current };
    return {
      kind: 'failed',
      reason: pendingEvaluation
        ? unevaluatedReason(evaluation, elapsedMs)
        : `still ${reading.allocationState} at ${current} of ${wanted} nodes ${describeMs(elapsedMs)} after creation: past its resizeTimeout (${target.resizeTimeout}) plus ${describeMs(graceMs)}; the pool is left for inspection`,
      resizeErrors: pendingEvaluation && evaluation?.error ? [evaluation.error] : [],
    };
  }
  if (reading.resizeErrors.length === 0 && current >= wanted) return { kind: 'ready', currentNodes: current };
  return {
    kind: 'failed',
    reason: reading.resizeErrors.length
      ? reading.resizeErrors.map((e) => `${e.code}: ${e.message}`).join('; ')
      : `allocation stopped at ${current} of ${wanted} nodes`,
    resizeErrors: reading.resizeErrors,
  };
}

/** Why an autoscale pool never became ready: no evaluation at all, or the last one's error. */
function unevaluatedReason(evaluation: PoolReading['autoScale'], elapsedMs: number): string {
  const after = `${describeMs(elapsedMs)} after creation`;
  if (!evaluation?.error)
    return `its autoscale formula was not evaluated ${after}; the pool is left for inspection`;
  return `no successful autoscale evaluation ${after}; the last evaluation failed: ${evaluation.error.code}: ${evaluation.error.message}. Check the formula (guard GetSample() with GetSamplePercent() or a lower samplePercent); the pool is left for inspection`;
}
