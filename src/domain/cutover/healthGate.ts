import { z } from 'zod';

/**
 * The health gate: a pool that reached its target is `ready` only when its nodes can run work. Batch
 * counts a node `idle` or `running` when it can; `unusable`, `starttaskfailed` and `unknown` are the
 * states of nodes that will not (a custom image that does not boot the agent, a start task that fails,
 * a node Batch lost contact with: https://learn.microsoft.com/azure/batch/batch-pool-node-error-checking).
 * Nodes on their way (`creating`, `starting`, `waitingforstarttask`, `rebooting`, `reimaging`) are waited
 * for until the gate's deadline. `preempted` nodes are neither healthy nor bad: Spot/low-priority nodes
 * are taken back when Azure needs the capacity, and Batch reallocates them when it can
 * (https://learn.microsoft.com/azure/batch/batch-spot-vms), which says nothing about the image. They are
 * left out of the share (numerator and denominator). Pure: the orchestrator feeds it readings and the time.
 */

export const HEALTHY_NODE_STATES = ['idle', 'running'] as const;
export const BAD_NODE_STATES = ['unusable', 'starttaskfailed', 'unknown'] as const;
/** States left out of the judgement (see above). */
export const NOT_JUDGED_NODE_STATES = ['preempted'] as const;
export const TRANSITIONAL_NODE_STATES = [
  'creating',
  'starting',
  'waitingforstarttask',
  'rebooting',
  'reimaging',
] as const;

export const HEALTH_DEFAULTS = { minHealthyPercent: 95, settleSeconds: 120, timeoutSeconds: 1800 };

const healthFields = {
  minHealthyPercent: z
    .number()
    .min(0)
    .max(100)
    .describe(
      'Share of the pool nodes that must be idle or running (default 95); 0 with settleSeconds 0 lets every pool through.',
    ),
  settleSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .describe(
      'How long the pool must stay healthy (and its bad nodes under the threshold) to pass (default 120).',
    ),
  timeoutSeconds: z
    .number()
    .int()
    .min(60)
    .max(86_400)
    .describe('How long after allocation the gate waits for starting nodes before failing (default 1800).'),
};

/** `health` of a request (every pool) or of one pool (overrides the request's, field by field). */
export const healthSchema = z.object(healthFields).partial().strict();

export type HealthPolicy = typeof HEALTH_DEFAULTS;

/** The policy of one pool: defaults, then the request's `health`, then the pool's own. */
export function healthPolicy(request?: Partial<HealthPolicy>, pool?: Partial<HealthPolicy>): HealthPolicy {
  return { ...HEALTH_DEFAULTS, ...request, ...pool };
}

/** What the gate keeps between readings (JSON, in the orchestrator's memory; replay rebuilds it). */
export interface GateMemory {
  /** When the gate started (the pool steady at its target). */
  startedAtMs: number;
  /** Since when every reading was healthy enough, if the last one was. */
  healthySinceMs?: number;
  /** Since when every reading had too many bad nodes, if the last one had. */
  badSinceMs?: number;
}

export interface GateReading {
  counts: Record<string, number>;
  total: number;
  /**
   * Nodes the pool had when it reached its target. Batch's node counts "may not always be up to date":
   * counts of 0 for a pool that has nodes are not yet counts, and are waited for.
   */
  expectedNodes: number;
}

export type GateVerdict =
  | { kind: 'passed'; healthyPercent: number; reason: string }
  | { kind: 'failed'; healthyPercent: number; reason: string }
  | { kind: 'waiting'; healthyPercent: number; reason: string; memory: GateMemory; nextCheckAtMs?: number };

const sum = (counts: Record<string, number>, states: readonly string[]) =>
  states.reduce((n, s) => n + (counts[s] ?? 0), 0);

/** Nodes the gate judges: all but the preempted ones. */
const judgedTotal = (reading: GateReading) => reading.total - sum(reading.counts, NOT_JUDGED_NODE_STATES);

/**
 * Healthy share of the judged nodes in percent, rounded down to one decimal so a display never shows a
 * pass that failed.
 */
export function healthyPercentOf(reading: GateReading): number {
  const judged = judgedTotal(reading);
  if (judged <= 0) return reading.total === 0 ? 100 : 0;
  return Math.floor((1000 * sum(reading.counts, HEALTHY_NODE_STATES)) / judged) / 10;
}

/**
 * One reading of the gate. Passes when at least `minHealthyPercent` of the nodes are idle or running
 * and have been at every reading for `settleSeconds`. Fails when the bad states hold more than
 * `100 - minHealthyPercent` percent of the nodes for `settleSeconds` (a node Batch recovers in time
 * does not fail the pool), or at the deadline while not healthy (a healthy pool may settle past it:
 * gateLastMomentMs). A pool with no nodes (an autoscale pool at rest) passes at once.
 */
const timedOut = (policy: HealthPolicy) => `after ${policy.timeoutSeconds} s (the gate's timeoutSeconds)`;

export function judgeGate(
  policy: HealthPolicy,
  memory: GateMemory,
  reading: GateReading,
  nowMs: number,
): GateVerdict {
  const healthyPercent = healthyPercentOf(reading);
  const deadline = memory.startedAtMs + policy.timeoutSeconds * 1000;
  if (reading.total === 0 && reading.expectedNodes === 0)
    return { kind: 'passed', healthyPercent, reason: 'the pool has no nodes (an autoscale pool at rest)' };
  if (judgedTotal(reading) <= 0) {
    const reason =
      reading.total === 0
        ? `Batch counts no nodes yet for a pool of ${reading.expectedNodes}`
        : `all ${reading.total} nodes are preempted`;
    if (nowMs >= deadline)
      return { kind: 'failed', healthyPercent: 0, reason: `${reason} after ${policy.timeoutSeconds} s` };
    return { kind: 'waiting', healthyPercent: 0, reason, memory };
  }
  const settleMs = policy.settleSeconds * 1000;
  const bad = sum(reading.counts, BAD_NODE_STATES);
  const badPercent = (100 * bad) / judgedTotal(reading);
  const tooManyBad = badPercent > 100 - policy.minHealthyPercent;
  const healthy = healthyPercent >= policy.minHealthyPercent && !tooManyBad;
  const next: GateMemory = {
    startedAtMs: memory.startedAtMs,
    ...(healthy ? { healthySinceMs: memory.healthySinceMs ?? nowMs } : {}),
    ...(tooManyBad ? { badSinceMs: memory.badSinceMs ?? nowMs } : {}),
  };
  const summary = describe(reading, policy);
  if (healthy && nowMs - next.healthySinceMs! >= settleMs)
    return { kind: 'passed', healthyPercent, reason: summary };
  if (tooManyBad && nowMs - next.badSinceMs! >= settleMs)
    return { kind: 'failed', healthyPercent, reason: `${summary}, for ${policy.settleSeconds} s` };
  const lastMoment = gateLastMomentMs(policy, next);
  if (nowMs >= lastMoment)
    return { kind: 'failed', healthyPercent, reason: `${summary} ${timedOut(policy)}` };
  const since = next.healthySinceMs ?? next.badSinceMs;
  return {
    kind: 'waiting',
    healthyPercent,
    reason: summary,
    memory: next,
    ...(since !== undefined ? { nextCheckAtMs: Math.min(lastMoment, since + settleMs) } : {}),
  };
}

/**
 * The last moment the gate may still pass. The deadline is for nodes still on their way: a pool that reads
 * healthy may finish its settle period past it (it became healthy late in a slow allocation, or the reading
 * itself came late — a busy or restarted host polls after the deadline — and must not roll back a pool that
 * may have been healthy all along). Bounded: after the deadline a single unhealthy reading fails the pool.
 */
export function gateLastMomentMs(policy: HealthPolicy, memory: GateMemory): number {
  const deadline = memory.startedAtMs + policy.timeoutSeconds * 1000;
  if (memory.healthySinceMs === undefined) return deadline;
  return Math.max(deadline, memory.healthySinceMs + policy.settleSeconds * 1000);
}

/** "9 of 10 nodes usable (90%, needs 95%): 1 unusable". */
function describe(reading: GateReading, policy: HealthPolicy): string {
  const healthy = sum(reading.counts, HEALTHY_NODE_STATES);
  const skipped: readonly string[] = [...HEALTHY_NODE_STATES, ...NOT_JUDGED_NODE_STATES];
  const others = Object.entries(reading.counts)
    .filter(([state, n]) => n > 0 && !skipped.includes(state))
    .map(([state, n]) => `${n} ${state}`);
  const head = `${healthy} of ${judgedTotal(reading)} nodes idle or running (${healthyPercentOf(reading)}%, needs ${policy.minHealthyPercent}%)`;
  const preempted = sum(reading.counts, NOT_JUDGED_NODE_STATES);
  const tail = preempted ? `, ${preempted} preempted not judged` : '';
  return (others.length ? `${head}: ${others.join(', ')}` : head) + tail;
}
