import type { BatchPoolState } from '../model';
import { TIMING } from '../timing';

/** What a pool looks like at one instant, derived from its current resize. */
interface PoolSnapshot {
  allocationState: 'steady' | 'resizing' | 'stopping';
  currentDedicatedNodes: number;
  currentLowPriorityNodes: number;
  /** When the resize ended (or will end). */
  endsAtSimMs: number;
  resizeErrors?: { code: string; message: string; values?: { name: string; value: string }[] }[];
}

const STOPPING_MS = 30_000;

/** Fraction of the change done at `t` (linear after VM boot for growth, linear for shrink). */
function fractionAt(resize: BatchPoolState['resize'], t: number): number {
  const elapsed = t - resize.startedAtSimMs;
  const growing = resize.toDedicated + resize.toLowPriority > resize.fromDedicated + resize.fromLowPriority;
  const boot = growing ? TIMING.poolStartupMs : 0;
  if (resize.durationMs <= boot) return elapsed >= resize.durationMs ? 1 : 0;
  return Math.min(1, Math.max(0, (elapsed - boot) / (resize.durationMs - boot)));
}

/**
 * The instant allocation stops and why: the natural end, the resize timeout when that comes first
 * (Batch's AllocationTimedout), an injected or quota failure, or a stop by the user.
 */
function resizeEnd(resize: BatchPoolState['resize']): {
  atMs: number;
  reason: 'done' | 'timeout' | 'error' | 'stopped';
} {
  const candidates: { atMs: number; reason: 'done' | 'timeout' | 'error' | 'stopped' }[] = [
    { atMs: resize.startedAtSimMs + resize.durationMs, reason: 'done' },
    { atMs: resize.startedAtSimMs + resize.timeoutMs, reason: 'timeout' },
  ];
  if (resize.error) {
    const boot = TIMING.poolStartupMs;
    candidates.push({
      atMs: resize.startedAtSimMs + boot + Math.max(0, resize.durationMs - boot) * resize.error.atFraction,
      reason: 'error',
    });
  }
  if (resize.stoppedAtSimMs !== undefined)
    candidates.push({ atMs: resize.stoppedAtSimMs, reason: 'stopped' });
  // The earliest wins; on a tie the natural end wins (a pool that just made it did not time out).
  return candidates.reduce((first, c) => (c.atMs < first.atMs ? c : first));
}

export function snapshotPool(pool: BatchPoolState, nowMs: number): PoolSnapshot {
  const { resize } = pool;
  const end = resizeEnd(resize);
  const t = Math.min(nowMs, end.atMs);
  const f = fractionAt(resize, t);
  const nodes = (from: number, to: number) => Math.round(from + (to - from) * f);
  const snapshot: PoolSnapshot = {
    allocationState:
      nowMs < end.atMs
        ? 'resizing'
        : resize.stoppedAtSimMs !== undefined && nowMs < end.atMs + STOPPING_MS
          ? 'stopping'
          : 'steady',
    currentDedicatedNodes: nodes(resize.fromDedicated, resize.toDedicated),
    currentLowPriorityNodes: nodes(resize.fromLowPriority, resize.toLowPriority),
    endsAtSimMs: end.atMs,
  };
  if (nowMs >= end.atMs) {
    if (end.reason === 'timeout') {
      snapshot.resizeErrors = [
        {
          code: 'AllocationTimedout',
          message:
            'Desired number of dedicated nodes could not be allocated as the resize timeout was reached',
        },
      ];
    } else if (end.reason === 'stopped') {
      // PoolResizeErrorCodes.ResizeStopped: what Batch reports after a Pool Stop Resize.
      snapshot.resizeErrors = [{ code: 'ResizeStopped', message: 'The resize operation was stopped.' }];
    } else if (end.reason === 'error' && resize.error) {
      const { code, message, values } = resize.error;
      snapshot.resizeErrors = [{ code, message, ...(values?.length ? { values } : {}) }];
    }
  }
  return snapshot;
}
