import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DurableEngine } from '../../../src/local/host/durable/engine';
import { InstanceExistsError } from '../../../src/local/host/durable/engine';
import { engineWith } from '../../helpers/engine';
import { TransientError, encodeForDurable } from '../../../src/domain/errors';
import { asStepError } from '../../../src/orchestrators/steps';

// The engine replays real durable-functions orchestrators; activities are fakes here.

const engines: DurableEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop().catch(() => undefined)));
});
function track<T extends { engine: DurableEngine }>(x: T): T {
  engines.push(x.engine);
  return x;
}

describe('embedded durable engine', () => {
  it('runs activities in sequence and fan-out, durable timers and custom status', async () => {
    const { engine } = track(
      engineWith(
        {
          main: function* (context) {
            const a = yield context.df.callActivity('double', 2);
            const many = yield context.df.Task.all(
              [1, 2, 3].map((n) => context.df.callActivity('double', n)),
            );
            const before = context.df.currentUtcDateTime.getTime();
            yield context.df.createTimer(new Date(before + 10 * 60_000));
            context.df.setCustomStatus({ stage: 'after-timer' });
            return { a, many, waitedMinutes: (context.df.currentUtcDateTime.getTime() - before) / 60_000 };
          },
        },
        { double: async (n: number) => n * 2 },
      ),
    );
    engine.startNew('main', 'i1', null);
    const status = await engine.waitFor('i1');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ a: 4, many: [2, 4, 6] });
    expect((status.output as { waitedMinutes: number }).waitedMinutes).toBeGreaterThanOrEqual(10);
    expect(status.customStatus).toEqual({ stage: 'after-timer' });
  });

  it('retries a failing activity per RetryOptions, with a timer after each failed attempt', async () => {
    let calls = 0;
    const { engine } = track(
      engineWith(
        {
          main: function* (context) {
            const retry = new df.RetryOptions(60_000, 4);
            return yield context.df.callActivityWithRetry('flaky', retry, 'x');
          },
          exhausted: function* (context) {
            try {
              yield context.df.callActivityWithRetry('broken', new df.RetryOptions(1000, 2), null);
              return 'no';
            } catch (error) {
              return `caught: ${(error as Error).message.split('\n')[0]}`;
            }
          },
        },
        {
          flaky: async () => {
            calls += 1;
            if (calls < 3) throw new Error(`transient ${calls}`);
            return `ok after ${calls}`;
          },
          broken: async () => {
            throw new Error('always broken');
          },
        },
      ),
    );
    engine.startNew('main', 'r1', null);
    expect((await engine.waitFor('r1')).output).toBe('ok after 3');
    const history = engine.status('r1', { showHistory: true })!.historyEvents as { EventType: number }[];
    expect(history.filter((e) => e.EventType === 10)).toHaveLength(2); // two TimerCreated, one per failure
    engine.startNew('exhausted', 'r2', null);
    expect((await engine.waitFor('r2')).output).toBe(
      "caught: Activity function 'broken' failed:  always broken ",
    );
  });
});

describe('embedded durable engine', () => {
  it('hands the orchestrator an exhausted activity failure as Azure does, and the typed error survives it', async () => {
    const typed = new TransientError(
      'Number of write requests exceeded.',
      'SubscriptionRequestsThrottled',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g',
    );
    const { engine } = track(
      engineWith(
        {
          main: function* (context) {
            try {
              yield context.df.callActivityWithRetry('throttled', new df.RetryOptions(1000, 2), null);
              return 'no';
            } catch (error) {
              return { message: (error as Error).message, step: asStepError('throttled', error).failure };
            }
          },
        },
        {
          throttled: async () => {
            throw new Error(encodeForDurable(typed));
          },
        },
      ),
    );
    engine.startNew('main', 't1', null);
    const output = (await engine.waitFor('t1')).output as { message: string; step: unknown };
    // Reason, " \n ", Details: the extension's TaskFailed text as durable-functions 3.5.0 joins it.
    expect(
      output.message.startsWith(`Activity function 'throttled' failed:  ${encodeForDurable(typed)} \n {`),
    ).toBe(true);
    expect(JSON.parse(output.message.split(' \n ')[1]!)).toMatchObject({
      ClassName: 'System.Exception',
      InnerException: { RemoteMessage: encodeForDurable(typed) },
    });
    expect(output.step).toEqual(typed.toJSON());
  });

  it('runs sub-orchestrations, external events and continueAsNew', async () => {
    const { engine } = track(
      engineWith(
        {
          parent: function* (context) {
            const results = yield context.df.Task.all([
              context.df.callSubOrchestrator('child', 1, 'c-1'),
              context.df.callSubOrchestrator('child', 2, 'c-2'),
            ]);
            const approval = yield context.df.waitForExternalEvent('approve');
            return { results, approval };
          },
          // eslint-disable-next-line require-yield -- an orchestrator may finish without awaiting anything
          child: function* (context) {
            return (context.df.getInput() as number) * 10;
          },
          // eslint-disable-next-line require-yield -- continueAsNew is not yielded
          counter: function* (context) {
            const n = context.df.getInput() as number;
            if (n < 3) {
              context.df.continueAsNew(n + 1);
              return undefined;
            }
            return n;
          },
        },
        {},
      ),
    );
    engine.startNew('parent', 'p', null);
    await engine.waitFor('c-2', ['Completed']);
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.raiseEvent('p', 'approve', { by: 'ops' })).toBe(true);
    expect((await engine.waitFor('p')).output).toEqual({ results: [10, 20], approval: { by: 'ops' } });
    engine.startNew('counter', 'n', 0);
    expect((await engine.waitFor('n')).output).toBe(3);
  });
});

describe('embedded durable engine', () => {
  it('fails an instance whose replay differs from its history, naming both actions', async () => {
    let replays = 0;
    const { engine } = track(
      engineWith(
        {
          flaky: function* (context) {
            replays += 1;
            yield context.df.callActivity(replays === 1 ? 'first' : 'second', null);
            yield context.df.callActivity('first', null);
            return 'done';
          },
        },
        { first: async () => 1, second: async () => 2 },
      ),
    );
    engine.startNew('flaky', 'nd', null);
    const status = await engine.waitFor('nd');
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toMatch(
      /Non-deterministic orchestration: on replay, action 0 is CallActivity\(second\), but the history recorded CallActivity\(first\)/,
    );
  });

  it('refuses a second start of a running instance, terminates and purges', async () => {
    const { engine } = track(
      engineWith(
        {
          waits: function* (context) {
            yield context.df.waitForExternalEvent('never');
          },
        },
        {},
      ),
    );
    engine.startNew('waits', 'w', null);
    expect(() => engine.startNew('waits', 'w', null)).toThrow(InstanceExistsError);
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.terminate('w', 'operator said so')).toBe('terminated');
    expect(engine.status('w')).toMatchObject({ runtimeStatus: 'Terminated', output: 'operator said so' });
    expect(engine.purge('w')).toBe(true);
    expect(engine.status('w')).toBeUndefined();
  });

  it('continues after a restart on the same database without re-running completed activities', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'bif-engine-')), 'durable.db');
    const calls: string[] = [];
    const orchestrators = {
      twoSteps: function* (context: OrchestrationContext): Generator<unknown, unknown, any> {
        const a = yield context.df.callActivity('step', 'a');
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60 * 60_000));
        const b = yield context.df.callActivity('step', 'b');
        return [a, b];
      },
    };
    const activities = { step: async (x: string) => (calls.push(x), x.toUpperCase()) };
    const first = engineWith(orchestrators, activities, dbPath);
    first.engine.startNew('twoSteps', 'k', null);
    await first.engine.waitFor('k', ['Running']);
    while (!calls.includes('a')) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    await first.engine.stop(); // the timer is pending now

    const second = track(engineWith(orchestrators, activities, dbPath));
    expect((await second.engine.waitFor('k')).output).toEqual(['A', 'B']);
    expect(calls).toEqual(['a', 'b']);
  });
});
