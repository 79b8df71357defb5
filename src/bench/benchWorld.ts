import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalWorld, type LocalWorld } from '../local/localWorld';
import type { ClockMode } from '../local/clock';
import { pipelineInstanceId } from '../domain/pipeline';
import { benchScenario } from './scenario';

/** A local world in a folder of its own, removed when it stops. */
export async function world(
  speed: number,
  clock: { mode?: ClockMode; armThrottling?: boolean } = {},
): Promise<LocalWorld> {
  const workDir = mkdtempSync(join(tmpdir(), 'bif-bench-'));
  const w = await startLocalWorld({
    workDir,
    speed,
    clockMode: clock.mode,
    armThrottling: clock.armThrottling,
    scenario: benchScenario(),
    log: () => undefined,
  });
  const stop = w.stop.bind(w);
  // Each run leaves tens of MB of state (SQLite, broker, simulator): nothing reads it after the figures.
  w.stop = async () => {
    await stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  return w;
}

export async function submit(w: LocalWorld, body: unknown): Promise<void> {
  // The submit route is function-level: the bench calls it with the host's key, as bif does.
  const response = await fetch(`${w.host.origin}/api/builds`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-functions-key': w.host.keys.functionKeys.default },
    body: JSON.stringify(body),
  });
  if (response.status !== 202)
    throw new Error(`submit answered ${response.status}: ${await response.text()}`);
}

export async function waitAll(w: LocalWorld, ids: string[], timeoutMs: number): Promise<void> {
  await Promise.all(
    ids.map((id) => w.host.engine.waitFor(pipelineInstanceId(id), ['Completed', 'Failed'], timeoutMs)),
  );
  const failed = ids.filter(
    (id) => w.host.engine.status(pipelineInstanceId(id))?.runtimeStatus !== 'Completed',
  );
  if (failed.length)
    throw new Error(
      `pipelines did not complete: ${failed.slice(0, 5).join(', ')} — ${JSON.stringify(w.host.engine.status(pipelineInstanceId(failed[0]!))?.output)}`,
    );
}

export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
