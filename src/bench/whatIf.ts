import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalWorld } from '../local/localWorld';
import { runIn, runWhatIf } from '../local/whatIf/run';
import { whatIfScenario } from '../local/whatIf/scenario';
import { TIMING, allocationMs, replicationMs } from '../domain/timings/model';
import { perturbProfile, type TimingProfile } from '../domain/timings/profile';
import type { Timeline } from '../domain/timings/timeline';
import { replicasFor } from '../domain/planning/replicas';
import { benchRequest, benchScenario, REGIONS } from './scenario';

/**
 * The what-if's own figures. Prediction error: predict the bench request with the bench's timings,
 * then run it with those timings perturbed by a known, seeded noise (±NOISE per figure) — the
 * "reality" a prediction meets — and compare makespans. Learned pacing: the same request twice in one
 * world, first with no history (built-in pacing), then with the history the first run recorded.
 */
const MIN = 60_000;
// The speed `bif simulate` runs at: faster, host latency on a loaded machine leaks into the makespans.
const SPEED = 600;
export const NOISE = 0.2;
export const NOISE_SEED = 14;

/** The bench world's timings as a profile: the skewed replication minutes, the model's allocation rate. */
export function benchProfile(): TimingProfile {
  const minutes = benchScenario().timing!.replicationMinutes!;
  return {
    regions: Object.fromEntries(
      REGIONS.map((r) => [
        r.name,
        { replicationMinutes: minutes[r.name]!, nodesPerMinute: TIMING.nodesPerMinute },
      ]),
    ),
  };
}

/** The critical path the model allows from the moment the version is requested (as in the makespan section). */
export function boundMs(timeline: Timeline): number {
  const pre = Math.min(
    ...timeline.lanes.flatMap((l) => l.phases.filter((p) => p.name === 'replication').map((p) => p.startMs)),
  );
  const spans = REGIONS.map((r) => {
    const replicas = Math.min(100, replicasFor(r.nodes, 20));
    return {
      replication:
        TIMING.versionPrepareMs + replicationMs(r.name, 64, replicas, false, benchScenario().timing),
      allocation: allocationMs(r.nodes, replicas),
    };
  });
  return pre + Math.max(...spans.map((s) => s.replication + s.allocation));
}

/**
 * One side of the prediction-error figure. Each side runs in its own process (two sections): the app's
 * composition root reads its settings once per process, so a second world in the same process would
 * still talk to the first one's simulator.
 */
export async function whatIfSide(side: 'predicted' | 'actual') {
  const profile = side === 'predicted' ? benchProfile() : perturbProfile(benchProfile(), NOISE_SEED, NOISE);
  const run = await runWhatIf({ request: benchRequest(`whatif-${side}`, '1.0.0'), profile, speed: SPEED });
  // A run that did not complete has no makespan to compare: the figure says so rather than mislead.
  if (run.runtimeStatus !== 'Completed')
    throw new Error(`what-if ${side}: ${run.runtimeStatus} ${run.error ?? ''}`);
  return { makespanMin: run.timeline.makespanMs / MIN };
}

/** One world, the same request twice: without history, then with what the first run recorded. */
export async function learnedPacing() {
  const workDir = mkdtempSync(join(tmpdir(), 'bif-bench-pacing-'));
  const scenario = whatIfScenario(benchRequest('pacing', '1.0.0'), benchProfile());
  const world = await startLocalWorld({ workDir, speed: SPEED, scenario, log: () => undefined });
  try {
    const figures = async (id: string, version: string) => {
      const run = await runIn(world, benchRequest(id, version), 600_000);
      if (run.runtimeStatus !== 'Completed')
        throw new Error(`${id}: ${run.runtimeStatus} ${run.error ?? ''}`);
      return {
        makespanRatioToBound: run.timeline.makespanMs / boundMs(run.timeline),
        requestsPerPipeline: run.requests,
      };
    };
    const without = await figures('pacing-cold', '4.0.0');
    const withHistory = await figures('pacing-warm', '4.0.1');
    return { without, withHistory };
  } finally {
    await world.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
