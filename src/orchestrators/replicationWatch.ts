import type { OrchestrationSettings } from '../domain/pipeline';
import { intervalFromProgress, nextInterval } from './steps';

/** How one replication attempt has gone so far: when it started, when its progress last moved. */
export interface Watch {
  interval: number;
  lastProgress: number;
  lastChangeAt: number;
  attemptStartedAt: number;
}

export const freshWatch = (now: number, settings: Pick<OrchestrationSettings, 'pollMinMs'>): Watch => ({
  interval: settings.pollMinMs,
  lastProgress: -1,
  lastChangeAt: now,
  attemptStartedAt: now,
});

export type ReplicationStep = { kind: 'retry'; why: string } | { kind: 'wait'; watch: Watch };

/**
 * After one read of a region still not replicated: re-request it (it failed, or made no progress for
 * the stall limit), or wait, about a third of the expected remaining time while it progresses.
 */
export function nextReplicationStep(
  reading: { state: string; progress: number; details?: string },
  watch: Watch,
  now: number,
  settings: Pick<OrchestrationSettings, 'pollMinMs' | 'pollMaxMs' | 'regionStallLimitMs'>,
): ReplicationStep {
  const { pollMinMs, pollMaxMs, regionStallLimitMs } = settings;
  if (reading.state === 'Failed')
    return { kind: 'retry', why: `replication failed: ${reading.details || 'no details from Azure'}` };
  if (now - watch.lastChangeAt >= regionStallLimitMs)
    return {
      kind: 'retry',
      why: `no replication progress for ${Math.round(regionStallLimitMs / 60_000)} minutes`,
    };
  const changed = reading.progress !== watch.lastProgress;
  const lastChangeAt = changed ? now : watch.lastChangeAt;
  const backoff = nextInterval(watch.interval, changed, pollMinMs, pollMaxMs);
  const interval = intervalFromProgress(
    reading.progress,
    now - watch.attemptStartedAt,
    backoff,
    pollMinMs,
    pollMaxMs,
  );
  return { kind: 'wait', watch: { ...watch, interval, lastProgress: reading.progress, lastChangeAt } };
}
