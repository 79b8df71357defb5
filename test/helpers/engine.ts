import type { OrchestrationContext } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableEngine } from '../../src/local/host/durable/engine';
import { VirtualClock, type ClockMode } from '../../src/local/clock';

/** An orchestrator as a generator over the real durable-functions context. */
export type Gen = (context: OrchestrationContext) => Generator<unknown, unknown, any>;

/**
 * The embedded engine replaying real durable-functions orchestrators, with fake activities. The clock is
 * held while the engine works, so a stall on a loaded machine is not simulated time (see scriptedCloud);
 * `clockMode: 'free'` for a test that needs time to pass while an activity runs.
 */
export function engineWith(
  orchestrators: Record<string, Gen>,
  activities: Record<string, (input: any) => Promise<unknown>>,
  dbPath = ':memory:',
  clockMode: ClockMode = 'hold-while-busy',
) {
  const clock = new VirtualClock({ speed: 5000, mode: clockMode });
  const engine = new DurableEngine({
    dbPath,
    clock,
    maxConcurrentActivities: 4,
    maxConcurrentOrchestrations: 4,
  });
  if (clockMode !== 'free') clock.follow(engine);
  for (const [name, fn] of Object.entries(orchestrators))
    engine.registerOrchestrator(name, createOrchestrator(fn as never) as never);
  for (const [name, fn] of Object.entries(activities)) engine.registerActivity(name, (input) => fn(input));
  engine.start();
  return { engine, clock };
}
