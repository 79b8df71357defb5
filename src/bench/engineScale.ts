import type { LocalWorld } from '../local/localWorld';
import type { ClockMode } from '../local/clock';
import { benchRequest, REGIONS } from './scenario';
import { mean, percentile, submit, waitAll, world } from './benchWorld';

/**
 * How the engine section's world tells time.
 * - 'jump' (the figures the targets are read from): the clock follows the engine and jumps to the next
 *   timer whenever the engine is idle, and stands still while it works. Every pipeline then runs the
 *   same simulated schedule at 40 and at 200, and turns per second compares the engine's cost per turn.
 * - 'fixed': 2000× whatever the engine does. At 200 pipelines the host's queue is tens of real seconds,
 *   i.e. simulated hours: ledger requests are re-sent by their 1/2/4/8 h timers and deadlines tighten,
 *   so the 200 run does more work per pipeline than the 40 run (docs/benchmarks.md). Kept for comparison.
 */
export type EngineClockChoice = 'jump' | 'fixed';

/**
 * Why the jump clock runs without ARM's token buckets: on it every activity takes no simulated time, so
 * 200 pipelines' requests land in the same simulated second, and a throttled request's SDK waits for
 * Retry-After in real time while the clock stands still for the activity: no token ever comes back (the
 * activity waits on the clock while the clock waits for the activity). On the fixed clock the buckets
 * refill 2000x faster than real time and never throttle this section either (`throttled`); the burst
 * section measures throttling.
 */
function worldClock(clock: EngineClockChoice): { mode: ClockMode; armThrottling?: boolean } {
  return clock === 'jump' ? { mode: 'jump-when-idle', armThrottling: false } : { mode: 'free' };
}

/**
 * 2000× (1 s = 33 simulated minutes). At 6000× the fixed-clock 200-pipeline run on a shared 2-core machine
 * tripped the pipeline's own 120-minute provisioning deadlines. The jump clock moves at this speed only
 * while idle with no timer pending, which a pipeline never is.
 */
const ENGINE_SPEED = 2000;
const HOUR = 3_600_000;

/**
 * One region, 20 nodes. The health gate's default 30-minute timeout is 0.9 real seconds at 2000x: on the
 * fixed clock, a gate's first node-count read queued behind 200 pipelines' turns would time it out. A day
 * keeps the gate in every pipeline without that race, on both clocks, so their runs do the same steps.
 */
function engineRequest(id: string, version: string, definition: string) {
  const request = benchRequest(id, version, () => 20, REGIONS.slice(0, 1), definition);
  return { ...request, health: { timeoutSeconds: 86_400 } };
}

/** Every build in, 25 at a time; on the jump clock, time stands still until the last one is in. */
async function submitAll(w: LocalWorld, ids: string[]): Promise<void> {
  const release = w.clock.hold(); // a no-op on the fixed ('free') clock
  try {
    for (let i = 0; i < ids.length; i += 25)
      await Promise.all(
        ids.slice(i, i + 25).map((id, k) =>
          submit(
            w,
            // Spread over 20 definitions: this section measures the engine. One definition's ledger
            // serialising every build is the burst section's subject.
            engineRequest(id, `3.0.${i + k}`, `bench-engine-${(i + k) % 20}`),
          ),
        ),
      );
  } finally {
    release();
  }
}

export async function engineScale(n: number, clock: EngineClockChoice) {
  const w = await world(ENGINE_SPEED, worldClock(clock));
  // memoryUsage.rss() alone, at 4 Hz: memoryUsage() walks every heap space (1.3 % of the run's CPU at
  // 10 Hz), and even rss() was 1.1 % at 10 Hz on a loaded machine.
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  try {
    const { stats } = w.host.engine;
    const turns0 = stats.turns;
    const seq0 = w.simulator.recorder.lastSeq;
    const sim0 = w.clock.nowMs();
    const started = Date.now();
    const cpu0 = process.cpuUsage();
    const ids = Array.from({ length: n }, (_, i) => `scale-${i}`);
    await submitAll(w, ids);
    await waitAll(w, ids, 1_800_000);
    const wallS = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const turns = stats.turns - turns0;
    // The longest history a turn replayed, and whose (a ledger's peak, not what its last execution left).
    const largest = stats.maxHistory;
    return {
      clock,
      wallS,
      simulatedHours: (w.clock.nowMs() - sim0) / HOUR,
      pipelinesPerSecond: n / wallS,
      turnsPerSecond: turns / wallS,
      turnsPerPipeline: turns / n,
      // CPU of the whole process (simulator, broker and host) per turn: steadier than wall time on a
      // machine shared with other jobs, where a run's wall time says as much about them as about it.
      cpuMsPerTurn: (cpu.user + cpu.system) / 1000 / turns,
      engineMsPerTurn: mean(stats.wholeTurnMs),
      replayP50Ms: percentile(stats.turnMs, 50),
      replayP99Ms: percentile(stats.turnMs, 99),
      turnP99Ms: percentile(stats.wholeTurnMs, 99),
      // ARM's 429s: none on the fixed clock either, whose buckets refill 2000x faster than real time.
      throttled: w.simulator.recorder.since(seq0).filter((r) => r.status === 429 && !r.fault).length,
      maxHistoryEvents: largest.events,
      maxHistoryInstance: largest.instanceId,
      peakRssMb: peakRss / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    await w.stop();
  }
}

type EngineFigures = Awaited<ReturnType<typeof engineScale>>;

/** The engine section's rows of the bench table: the jump clock's figures, then the fixed clock's. */
export function engineRows(
  e: EngineFigures,
  e40: EngineFigures,
  fixed: { e: EngineFigures; e40: EngineFigures } | undefined,
  fast: boolean,
): [string, string][] {
  const n = fast ? 40 : 200;
  return [
    [`engine (jump clock): ${n} pipelines wall time (s)`, e.wallS.toFixed(1)],
    ['engine: pipelines per second', e.pipelinesPerSecond.toFixed(2)],
    ['engine: orchestration turns per second', e.turnsPerSecond.toFixed(0)],
    ['engine: turns per second at 40 pipelines', e40.turnsPerSecond.toFixed(0)],
    [
      `engine: turns per pipeline, simulated hours (${n} and 40)`,
      `${e.turnsPerPipeline.toFixed(1)}, ${e.simulatedHours.toFixed(1)}; ${e40.turnsPerPipeline.toFixed(1)}, ${e40.simulatedHours.toFixed(1)}`,
    ],
    ['engine: replay p50 / p99 (ms)', `${e.replayP50Ms.toFixed(2)} / ${e.replayP99Ms.toFixed(2)}`],
    ['engine: whole turn p99 (read, replay, commit; ms)', e.turnP99Ms.toFixed(2)],
    [
      `engine: CPU per turn, whole process / engine turn (ms; ${n} and 40)`,
      `${e.cpuMsPerTurn.toFixed(2)} / ${e.engineMsPerTurn.toFixed(2)}; ${e40.cpuMsPerTurn.toFixed(2)} / ${e40.engineMsPerTurn.toFixed(2)}`,
    ],
    [
      `engine: longest history a turn replayed (${n}; 40)`,
      `${e.maxHistoryEvents} (${e.maxHistoryInstance}); ${e40.maxHistoryEvents}`,
    ],
    ['engine: peak RSS (MB)', e.peakRssMb.toFixed(0)],
    ...(fixed
      ? ([
          [
            'engine, fixed 2000x clock: turns/s 200 / 40 (queueing is simulated time)',
            `${fixed.e.turnsPerSecond.toFixed(0)} / ${fixed.e40.turnsPerSecond.toFixed(0)}`,
          ],
          [
            'engine, fixed clock: turns per pipeline, longest history (200; 40)',
            `${fixed.e.turnsPerPipeline.toFixed(1)}, ${fixed.e.maxHistoryEvents}; ${fixed.e40.turnsPerPipeline.toFixed(1)}, ${fixed.e40.maxHistoryEvents}`,
          ],
        ] satisfies [string, string][])
      : []),
  ];
}
