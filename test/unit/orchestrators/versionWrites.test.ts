import type * as df from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableEngine } from '../../../src/local/host/durable/engine';
import { VirtualClock } from '../../../src/local/clock';
import { ACTIVITIES } from '../../../src/activities/names';
import { updateTargetRegions } from '../../../src/activities/provisioning';
import { runActivity } from '../../../src/activities/result';
import { DEFAULT_ORCHESTRATION_SETTINGS } from '../../../src/domain/pipeline';
import { updateTargetRegionsWhenIdle } from '../../../src/orchestrators/versionWrites';
import { VersionBusyError } from '../../../src/ports/gallery';
import type { Services } from '../../../src/activities/services';

/**
 * A version still Creating takes no write: the target-region update waits on durable timers (the
 * activity answers at once, "not applied") and writes once the version is done, never failing the step.
 */
jest.setTimeout(60_000);
const VERSION =
  '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0';

it('waits with timers while the version is busy, then writes once', async () => {
  const clock = new VirtualClock({ speed: 20_000 });
  const busyUntil = clock.nowMs() + 3 * 3_600_000;
  const writes: number[] = [];
  const attempts: number[] = [];
  const gallery = {
    updateTargetRegions: async () => {
      attempts.push(clock.nowMs());
      if (clock.nowMs() < busyUntil) throw new VersionBusyError(VERSION, 'Creating');
      writes.push(clock.nowMs());
    },
  };
  const services = { gallery } as unknown as Services;
  const engine = new DurableEngine({
    dbPath: ':memory:',
    clock,
    maxConcurrentActivities: 2,
    maxConcurrentOrchestrations: 2,
  });
  const orchestrator: df.OrchestrationHandler = function* (context) {
    yield* updateTargetRegionsWhenIdle(
      context,
      { versionId: VERSION, targetRegions: [] },
      DEFAULT_ORCHESTRATION_SETTINGS,
    );
    return 'written';
  };
  engine.registerOrchestrator('writeWhenIdle', createOrchestrator(orchestrator) as never);
  engine.registerActivity(ACTIVITIES.updateTargetRegions, (input) =>
    runActivity(() => updateTargetRegions(services, input as never)),
  );
  engine.start();
  try {
    engine.startNew('writeWhenIdle', 'w1', {});
    const status = await engine.waitFor('w1');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe('written');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toBeGreaterThanOrEqual(busyUntil);
    // Backoff from pollMinMs to pollMaxMs: a handful of reads over three hours, not hundreds.
    expect(attempts.length).toBeGreaterThan(2);
    expect(attempts.length).toBeLessThan(30);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(DEFAULT_ORCHESTRATION_SETTINGS.pollMinMs);
  } finally {
    await engine.stop();
  }
});
