import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalWorld, type LocalWorld } from '../localWorld';
import { pipelineInstanceId, type RegionOutcome } from '../../domain/pipeline';
import type { BuildRequestInput } from '../../domain/buildRequest';
import type { PipelineState } from '../../domain/status';
import type { TimingObservation } from '../../domain/timings/observation';
import type { TimingProfile } from '../../domain/timings/profile';
import { timelineOf, type Timeline } from '../../domain/timings/timeline';
import { SETTINGS } from '../../config/settings';
import { tableTimings } from '../../azure/timingsTable';
import { whatIfScenario } from './scenario';

/**
 * One what-if: the request run through the real pipeline (the compiled app in the embedded host,
 * against the simulator) in a throw-away world at a fast clock, with the simulator's timings from
 * `profile` and the learned history pre-recorded so the pipeline paces its polls as it would.
 * The timeline comes from the region rollouts' own milestones.
 */
export interface WhatIfRun {
  timeline: Timeline;
  runtimeStatus: string;
  error?: string;
  /** ARM and Batch requests the pipeline made. */
  requests: number;
  /** The host's real time per orchestration step, and what it cost in simulated time. */
  stepLag: StepLag;
}

/**
 * Each orchestration step (a replay and its commit) and each activity (calls to the simulator) takes
 * real milliseconds while the simulated clock runs on at `speed`: an activity of 40 ms at 600× is 24
 * simulated seconds the pipeline did not spend in Azure, added to every wait and poll it is part of.
 */
export interface StepLag {
  steps: number;
  meanStepMs: number;
  activities: number;
  meanActivityMs: number;
  /** A step and an activity, in simulated seconds at the run's speed: what each wait and call grew by. */
  simulatedSecondsPerStep: number;
}

const mean = (ms: number[]) => (ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0);

export function stepLagOf(stepMs: number[], activityMs: number[], speed: number): StepLag {
  const meanStepMs = mean(stepMs);
  const meanActivityMs = mean(activityMs);
  return {
    steps: stepMs.length,
    meanStepMs: +meanStepMs.toFixed(1),
    activities: activityMs.length,
    meanActivityMs: +meanActivityMs.toFixed(1),
    simulatedSecondsPerStep: +(((meanStepMs + meanActivityMs) * speed) / 1000).toFixed(1),
  };
}

export interface WhatIfOptions {
  request: BuildRequestInput;
  profile?: TimingProfile;
  history?: TimingObservation[];
  /** Simulated ms per real ms; high, since nothing is watched live. */
  speed?: number;
  timeoutMs?: number;
}

export async function runWhatIf(options: WhatIfOptions): Promise<WhatIfRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'bif-whatif-'));
  let world: LocalWorld | undefined;
  try {
    world = await startLocalWorld({
      workDir,
      speed: options.speed ?? 3000,
      scenario: whatIfScenario(options.request, options.profile),
      log: () => undefined,
    });
    if (options.history?.length) await seedHistory(world, options.history);
    return await runIn(world, options.request, options.timeoutMs ?? 600_000);
  } finally {
    await world?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Runs one request in a running world and reads its timeline back. */
export async function runIn(
  world: LocalWorld,
  request: BuildRequestInput,
  timeoutMs: number,
): Promise<WhatIfRun> {
  const seq0 = world.simulator.recorder.lastSeq;
  const { stats } = world.host.engine;
  const [steps0, activities0] = [stats.wholeTurnMs.length, stats.activityMs.length];
  const response = await fetch(`${world.host.origin}/api/builds`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-functions-key': world.host.keys.functionKeys.default },
    body: JSON.stringify(request),
  });
  if (response.status !== 202)
    throw new Error(`the request was refused (${response.status}): ${await response.text()}`);
  const id = pipelineInstanceId(request.requestId);
  const status = await world.host.engine.waitFor(id, ['Completed', 'Failed', 'Terminated'], timeoutMs);
  const state = status.customStatus as Partial<PipelineState> | undefined;
  const regions = (state?.regionInstances ?? []).flatMap((child) => {
    const outcome = world.host.engine.status(child)?.output as RegionOutcome | undefined;
    return outcome?.timeline ? [{ region: outcome.region, timeline: outcome.timeline }] : [];
  });
  const requests = world.simulator.recorder
    .since(seq0)
    .filter((r) => r.service === 'arm' || r.service === 'batch');
  return {
    timeline: timelineOf(state?.startedAt ?? status.createdTime, regions, status.lastUpdatedTime),
    runtimeStatus: status.runtimeStatus,
    ...(state?.error ? { error: state.error } : {}),
    requests: requests.length,
    stepLag: stepLagOf(
      stats.wholeTurnMs.slice(steps0),
      stats.activityMs.slice(activities0),
      world.clock.speed,
    ),
  };
}

/** The world's own history table, written before the run: what the app reads at the pipeline's start. */
async function seedHistory(world: LocalWorld, history: TimingObservation[]): Promise<void> {
  const connection = world.settings[SETTINGS.timingsEmulator.name];
  if (!connection) throw new Error('the local world has no timings table (Azurite table service)');
  const table = world.settings[SETTINGS.timingsTable.name] ?? SETTINGS.timingsTable.default;
  await tableTimings({ table, keep: 1000, emulatorConnectionString: connection }, () => {
    throw new Error('no credential locally');
  }).record(history);
}
