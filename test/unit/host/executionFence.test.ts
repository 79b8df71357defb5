import type { DurableEngine } from '../../../src/local/host/durable/engine';
import type { VirtualClock } from '../../../src/local/clock';
import { engineWith as startEngine, type Gen } from '../../helpers/engine';

// The clock is held while the engine works (an activity runs), so both executions of a restarted
// instance start at the same simulated instant: only their execution ids tell them apart, as in Azure.
let clock: VirtualClock | undefined;
const engineWith = (o: Record<string, Gen>, a: Record<string, (input: any) => Promise<unknown>>) => {
  const started = startEngine(o, a, ':memory:', 'hold-while-busy');
  clock = started.clock;
  return started.engine;
};

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

describe('answers for an earlier execution, in the same simulated instant', () => {
  it('drops the completion of a child the terminated execution started, the restart at the same instant', async () => {
    const step = gated();
    engine = engineWith(
      {
        parent: function* (context) {
          const input = context.df.getInput() as string;
          return yield context.df.callSubOrchestrator('child', input, `same-${input}`);
        },
        child: function* (context) {
          return yield context.df.callActivity('step', context.df.getInput());
        },
      },
      { step: step.run },
    );
    engine.startNew('parent', 'p2', 'old');
    await until(() => step.waiting.length === 1);
    const terminatedAt = clock!.nowMs();
    engine.terminate('p2', 'restart');
    engine.startNew('parent', 'p2', 'new');
    await until(() => step.waiting.length === 2);
    // The point of the case: creation instants cannot tell the two executions apart.
    expect(Date.parse(engine.status('p2')!.createdTime)).toBe(terminatedAt);
    step.waiting[0]!.release();
    await until(() => engine!.status('same-old')!.runtimeStatus === 'Completed');
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.status('p2')!.runtimeStatus).toBe('Running');
    step.waiting[1]!.release();
    expect((await engine.waitFor('p2')).output).toBe('made from new');
  });

  it('drops an activity result and a timer of the terminated execution, the restart at the same instant', async () => {
    const step = gated();
    engine = engineWith(
      {
        build: function* (context) {
          const input = context.df.getInput() as string;
          const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
          const work = context.df.callActivity('step', input);
          const first = yield context.df.Task.any([work, timer]);
          if (first === timer) return 'timer fired first';
          timer.cancel();
          return first.result as string;
        },
      },
      { step: step.run },
    );
    engine.startNew('build', 'b2', 'old request');
    await until(() => step.waiting.length === 1);
    const terminatedAt = clock!.nowMs();
    engine.terminate('b2', 'fix the request');
    engine.startNew('build', 'b2', 'new request');
    await until(() => step.waiting.length === 2);
    expect(Date.parse(engine.status('b2')!.createdTime)).toBe(terminatedAt);
    step.waiting[0]!.release();
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.status('b2')!.runtimeStatus).toBe('Running');
    step.waiting[1]!.release();
    expect((await engine.waitFor('b2')).output).toBe('made from new request');
  });
});

describe('answers for the execution before a continue-as-new', () => {
  it('drops the completion of a child the execution before a continue-as-new started', async () => {
    const step = gated();
    engine = engineWith(
      {
        parent: function* (context) {
          const round = context.df.getInput() as number;
          if (round === 2) return yield context.df.callActivity('step', 'new');
          const child = context.df.callSubOrchestrator('child', null, 'waiting-child');
          const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
          yield context.df.Task.any([child, timer]);
          context.df.continueAsNew(2);
          return undefined;
        },
        child: function* (context) {
          yield context.df.waitForExternalEvent('go');
          return 'the old execution’s child';
        },
      },
      { step: step.run },
    );
    engine.startNew('parent', 'p3', 1);
    await until(() => step.waiting.length === 1, 10_000); // the timer fired: the second execution runs
    expect(engine.raiseEvent('waiting-child', 'go', null)).toBe(true);
    await engine.waitFor('waiting-child');
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.status('p3')!.runtimeStatus).toBe('Running');
    step.waiting[0]!.release();
    expect((await engine.waitFor('p3')).output).toBe('made from new');
  });
});
