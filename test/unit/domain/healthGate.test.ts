import {
  HEALTH_DEFAULTS,
  healthPolicy,
  healthSchema,
  judgeGate,
  type GateMemory,
  type GateReading,
} from '../../../src/domain/cutover/healthGate';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { exampleInput } from '../../helpers/requests';

/**
 * The health gate's decision, threshold by threshold: each test flips one input across one threshold
 * (healthy share, bad share, settle time, deadline, empty pool) and sees the verdict flip with it.
 */
const T0 = Date.parse('2026-11-29T00:00:00Z');
const policy = { ...HEALTH_DEFAULTS }; // 95 %, 120 s settle, 1800 s timeout
const start: GateMemory = { startedAtMs: T0 };
const reading = (counts: Record<string, number>, expectedNodes?: number): GateReading => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { counts, total, expectedNodes: expectedNodes ?? total };
};
/** Two readings: one at the start, one `afterS` seconds later, both the same. */
const twice = (counts: Record<string, number>, afterS: number, p = policy) => {
  const first = judgeGate(p, start, reading(counts), T0);
  if (first.kind !== 'waiting') return first;
  return judgeGate(p, first.memory, reading(counts), T0 + afterS * 1000);
};

describe('health gate', () => {
  it('passes 95 % healthy after the settle period, and not 94 %', () => {
    expect(twice({ idle: 95, unusable: 5 }, 120).kind).toBe('passed');
    expect(twice({ idle: 94, starting: 6 }, 120).kind).toBe('waiting');
  });

  it('passes only once healthy for the whole settle period', () => {
    expect(twice({ idle: 10 }, 119).kind).toBe('waiting');
    expect(twice({ idle: 10 }, 120).kind).toBe('passed');
  });

  it('fails when bad nodes stay over 100 - minHealthyPercent for the settle period, not at 5 %', () => {
    const failed = twice({ idle: 9, unusable: 1 }, 120);
    expect(failed).toMatchObject({ kind: 'failed', healthyPercent: 90 });
    expect(failed.reason).toBe('9 of 10 nodes idle or running (90%, needs 95%): 1 unusable, for 120 s');
    expect(twice({ idle: 19, starttaskfailed: 1 }, 120).kind).toBe('passed');
  });

  it('does not fail on a bad spike shorter than the settle period', () => {
    const first = judgeGate(policy, start, reading({ idle: 8, unknown: 2 }), T0);
    expect(first.kind).toBe('waiting');
    if (first.kind !== 'waiting') return;
    expect(judgeGate(policy, first.memory, reading({ idle: 8, unknown: 2 }), T0 + 119_000).kind).toBe(
      'waiting',
    );
    // Recovered: the bad clock resets and the healthy one starts.
    const recovered = judgeGate(policy, first.memory, reading({ idle: 10 }), T0 + 60_000);
    expect(recovered).toMatchObject({ kind: 'waiting', memory: { healthySinceMs: T0 + 60_000 } });
    if (recovered.kind === 'waiting') expect(recovered.memory.badSinceMs).toBeUndefined();
  });

  it('waits for starting nodes until the deadline, then fails naming it', () => {
    const starting = { idle: 5, waitingforstarttask: 5 };
    expect(judgeGate(policy, start, reading(starting), T0 + 1_799_000).kind).toBe('waiting');
    const late = judgeGate(policy, start, reading(starting), T0 + 1_800_000);
    expect(late.kind).toBe('failed');
    expect(late.reason).toMatch(/5 waitingforstarttask after 1800 s \(the gate's timeoutSeconds\)/);
  });

  it('lets a pool that became healthy just before the deadline finish its settle period past it', () => {
    const early = judgeGate(policy, start, reading({ starting: 20 }), T0);
    const memory = early.kind === 'waiting' ? early.memory : start;
    // Healthy at 1750 s: the 120 s settle period ends at 1870 s, after the 1800 s deadline.
    const healthy = judgeGate(policy, memory, reading({ idle: 20 }), T0 + 1750_000);
    expect(healthy).toMatchObject({ kind: 'waiting', nextCheckAtMs: T0 + 1870_000 });
    const next = healthy.kind === 'waiting' ? healthy.memory : memory;
    expect(judgeGate(policy, next, reading({ idle: 20 }), T0 + 1800_000).kind).toBe('waiting');
    expect(judgeGate(policy, next, reading({ idle: 20 }), T0 + 1870_000).kind).toBe('passed');
    // Unhealthy again past the deadline: no second chance.
    const relapse = judgeGate(policy, next, reading({ idle: 10, starting: 10 }), T0 + 1820_000);
    expect(relapse.kind).toBe('failed');
    expect(relapse.reason).toMatch(/after 1800 s \(the gate's timeoutSeconds\)$/);
  });

  it('does not roll back a healthy pool whose first reading came after the deadline (a late poll)', () => {
    // The host was busy or restarting: the gate's first reading is at 1800 s and every node is idle.
    const late = judgeGate(policy, start, reading({ idle: 20 }), T0 + 1800_000);
    expect(late).toMatchObject({ kind: 'waiting', nextCheckAtMs: T0 + 1920_000 });
    const settled = judgeGate(
      policy,
      late.kind === 'waiting' ? late.memory : start,
      reading({ idle: 20 }),
      T0 + 1920_000,
    );
    expect(settled.kind).toBe('passed');
  });

  it('passes a pool with no nodes at once (an autoscale pool at rest), but waits for counts of a pool with nodes', () => {
    expect(judgeGate(policy, start, reading({}, 0), T0)).toMatchObject({ kind: 'passed' });
    expect(judgeGate(policy, start, reading({}, 10), T0).kind).toBe('waiting');
    expect(judgeGate(policy, start, reading({}, 10), T0 + 1_800_000).kind).toBe('failed');
  });

  it('leaves preempted Spot/low-priority nodes out of the judgement: neither healthy nor bad', () => {
    // 90 idle of 90 judged: passes (preempted nodes counted as unhealthy would make it 90 %).
    const spot = twice({ idle: 90, preempted: 10 }, 120);
    expect(spot).toMatchObject({ kind: 'passed', healthyPercent: 100 });
    expect(spot.reason).toBe('90 of 90 nodes idle or running (100%, needs 95%), 10 preempted not judged');
    // Bad nodes are judged against the nodes left: 1 unusable of 10 is 10 %.
    expect(twice({ idle: 9, unusable: 1, preempted: 90 }, 120).kind).toBe('failed');
    // Every node preempted: nothing to judge yet, waited for until the deadline.
    expect(judgeGate(policy, start, reading({ preempted: 5 }), T0).kind).toBe('waiting');
    expect(judgeGate(policy, start, reading({ preempted: 5 }), T0 + 1_800_000).kind).toBe('failed');
  });

  it('settleSeconds 0 passes a healthy pool on its first reading; a lower minHealthyPercent passes 90 %', () => {
    expect(judgeGate({ ...policy, settleSeconds: 0 }, start, reading({ idle: 3 }), T0).kind).toBe('passed');
    expect(twice({ idle: 9, unusable: 1 }, 120, { ...policy, minHealthyPercent: 90 }).kind).toBe('passed');
  });
});

describe('health request fields', () => {
  it('lays the pool over the request over the defaults', () => {
    expect(healthPolicy({ minHealthyPercent: 90 }, { settleSeconds: 30 })).toEqual({
      minHealthyPercent: 90,
      settleSeconds: 30,
      timeoutSeconds: 1800,
    });
  });

  it('names the bad field in the request and in a pool', () => {
    const input = exampleInput() as Record<string, any>;
    input.health = { minHealthyPercent: 120 };
    input.pools[0].health = { settleSeconds: -1, everySeconds: 3 };
    const result = buildRequestSchema.safeParse(input);
    expect(result.success).toBe(false);
    const paths = result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['health.minHealthyPercent', 'pools.0.health.settleSeconds', 'pools.0.health']),
    );
    expect(healthSchema.safeParse({ timeoutSeconds: 30 }).success).toBe(false);
  });
});

describe('health gate turned off', () => {
  it('lets a pool with bad nodes through at its first reading with minHealthyPercent 0 and settleSeconds 0', () => {
    const off = { ...policy, minHealthyPercent: 0, settleSeconds: 0 };
    expect(judgeGate(off, start, reading({ unusable: 3 }), T0).kind).toBe('passed');
    expect(healthSchema.safeParse({ minHealthyPercent: 0 }).success).toBe(true);
  });
});
