import type { DurableEngine } from '../../../src/local/host/durable/engine';
import { engineWith as startEngine, type Gen } from '../../helpers/engine';

// A free clock: the engine tells executions apart by their creation instants, so time must pass while
// the first execution's activity runs, as it does in Azure (a clock held while the engine is busy would
// create both executions at the same instant).
const engineWith = (o: Record<string, Gen>, a: Record<string, (input: any) => Promise<unknown>>) =>
  startEngine(o, a, ':memory:', 'free').engine;

// A restarted instance (terminated or failed, then started again under the same id with a new input) must
// never take an answer meant for its earlier execution: the Durable Task Framework drops messages for
// another execution id. Reproduces the stale-result probe: the new run completed with the old run's result.
/** An activity whose answers the test releases one by one. */
function gated() {
  const waiting: { input: unknown; release: () => void }[] = [];
  const run = (input: unknown) =>
    new Promise<unknown>((resolve) =>
      waiting.push({ input, release: () => resolve(`made from ${String(input)}`) }),
    );
  return { waiting, run };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let engine: DurableEngine | undefined;
afterEach(async () => {
  await engine?.stop().catch(() => undefined);
  engine = undefined;
});

describe('answers for an earlier execution of a restarted instance', () => {
  it('drops an activity result that arrives after the instance was terminated and started again', async () => {
    const step = gated();
    engine = engineWith(
      {
        build: function* (context) {
          return yield context.df.callActivity('step', context.df.getInput());
        },
      },
      { step: step.run },
    );
    engine.startNew('build', 'b1', 'old request');
    await until(() => step.waiting.length === 1);
    engine.terminate('b1', 'fix the request');
    engine.startNew('build', 'b1', 'new request');
    await until(() => step.waiting.length === 2);
    step.waiting[0]!.release(); // the terminated run's answer comes back late
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.status('b1')!.runtimeStatus).toBe('Running');
    step.waiting[1]!.release();
    const status = await engine.waitFor('b1');
    expect(status.output).toBe('made from new request');
  });

  it('drops the result of a child the earlier execution started', async () => {
    const step = gated();
    engine = engineWith(
      {
        parent: function* (context) {
          const input = context.df.getInput() as string;
          return yield context.df.callSubOrchestrator('child', input, `child-${input}`);
        },
        child: function* (context) {
          return yield context.df.callActivity('step', context.df.getInput());
        },
      },
      { step: step.run },
    );
    engine.startNew('parent', 'p1', 'old');
    await until(() => step.waiting.length === 1);
    engine.terminate('p1', 'restart'); // in Azure too, terminating a parent leaves its children running
    engine.startNew('parent', 'p1', 'new');
    await until(() => step.waiting.length === 2);
    step.waiting[0]!.release();
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.status('p1')!.runtimeStatus).toBe('Running');
    step.waiting[1]!.release();
    expect((await engine.waitFor('p1')).output).toBe('made from new');
  });
});
