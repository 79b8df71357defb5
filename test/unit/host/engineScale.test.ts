import type { OrchestrationContext } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableEngine, type OrchestratorHandler } from '../../../src/local/host/durable/engine';
import { VirtualClock } from '../../../src/local/clock';

// What keeps the engine's cost per turn flat as instances multiply; counted, never timed.
function* threeSteps(context: OrchestrationContext): Generator<unknown, unknown, number> {
  let n = 1;
  for (let i = 0; i < 3; i++) n = yield context.df.callActivity('double', n);
  return n;
}

const engines: DurableEngine[] = [];
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(engines.splice(0).map((e) => e.stop().catch(() => undefined)));
});

function engineWith(wrap: (handler: OrchestratorHandler) => OrchestratorHandler = (h) => h): DurableEngine {
  const engine = new DurableEngine({
    dbPath: ':memory:',
    clock: new VirtualClock({ speed: 5000 }),
    maxConcurrentActivities: 4,
    maxConcurrentOrchestrations: 4,
  });
  engines.push(engine);
  engine.registerOrchestrator('main', wrap(createOrchestrator(threeSteps as never) as never));
  engine.registerActivity('double', async (n) => (n as number) * 2);
  engine.start();
  return engine;
}

async function runAll(engine: DurableEngine, ids: string[]): Promise<void> {
  for (const id of ids) engine.startNew('main', id, null);
  const done = await Promise.all(ids.map((id) => engine.waitFor(id)));
  expect(done.map((s) => [s.runtimeStatus, s.output])).toEqual(ids.map(() => ['Completed', 8]));
}

describe('embedded durable engine at scale', () => {
  it('prepares each SQL statement once, however many turns run', async () => {
    const engine = engineWith();
    await runAll(engine, ['warm-1', 'warm-2']);
    const prepare = jest.spyOn(engine.store.db, 'prepare');
    await runAll(
      engine,
      Array.from({ length: 6 }, (_, i) => `again-${i}`),
    );
    expect(prepare).not.toHaveBeenCalled();
  });

  it('wakes a waiter only for the instance it waits for', async () => {
    const engine = engineWith();
    const ids = Array.from({ length: 20 }, (_, i) => `w-${i}`);
    const read = jest.spyOn(engine.store, 'instance');
    await runAll(engine, ids);
    // Per instance: 4 turns and 3 activities read its row, and its waiter re-reads it when it changes
    // (13 in all). Waking every waiter on every change re-read each row on changes anywhere (39 here).
    const reads = read.mock.calls.filter(([id]) => id === 'w-0').length;
    expect(reads).toBeLessThan(20);
  });

  it('commits each turn before the next replay starts', async () => {
    const started: { id: string; events: number }[] = [];
    const uncommitted: string[] = [];
    const engine: DurableEngine = engineWith((handler) => async (trigger, context) => {
      const { instanceId, history } = trigger as { instanceId: string; history: unknown[] };
      for (const turn of started)
        if (engine.store.history(turn.id).length < turn.events)
          uncommitted.push(`${turn.id} (${turn.events} events)`);
      started.push({ id: instanceId, events: history.length });
      return handler(trigger, context);
    });
    await runAll(
      engine,
      Array.from({ length: 8 }, (_, i) => `c-${i}`),
    );
    expect(started.length).toBeGreaterThanOrEqual(32);
    expect(uncommitted).toEqual([]);
  });
});
