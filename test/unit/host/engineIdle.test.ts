import type { OrchestrationContext } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableEngine } from '../../../src/local/host/durable/engine';
import { VirtualClock } from '../../../src/local/clock';

// The idle signal gated clocks follow: busy while a turn or an activity runs or a turn is ready, idle
// when only future timers remain. A free clock at 1x: the test moves time by hand.

const MINUTE = 60_000;
let engine: DurableEngine | undefined;
afterEach(async () => engine?.stop());

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('DurableEngine idle signal', () => {
  it('is busy while an activity runs or a turn is ready, idle when only future timers remain', async () => {
    const clock = new VirtualClock({ speed: 1 });
    engine = new DurableEngine({ dbPath: ':memory:', clock });
    let finishActivity!: () => void;
    engine.registerActivity('slow', () => new Promise((resolve) => (finishActivity = () => resolve('ok'))));
    engine.registerOrchestrator(
      'main',
      createOrchestrator(function* (context: OrchestrationContext) {
        yield context.df.callActivity('slow');
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 10 * MINUTE));
        yield context.df.waitForExternalEvent('go');
        return 'done';
      }) as never,
    );
    const changes: boolean[] = [];
    engine.onIdleChange((idle) => changes.push(idle));
    engine.start();
    expect(engine.idle).toBe(true); // nothing to do

    engine.startNew('main', 'one', undefined);
    expect(engine.idle).toBe(false); // its first turn is ready
    await until(() => finishActivity !== undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.idle).toBe(false); // the activity runs

    finishActivity();
    await until(() => engine!.idle);
    // Only the timer remains, ten simulated minutes away.
    expect(engine.store.nextTimerAt()).toBeGreaterThan(clock.nowMs());
    expect(engine.status('one')?.runtimeStatus).toBe('Running');

    clock.advance(10 * MINUTE);
    expect(engine.idle).toBe(false); // the timer fired: its turn is ready
    await until(() => engine!.idle);
    expect(engine.store.nextTimerAt()).toBeUndefined(); // waiting for an event only

    engine.raiseEvent('one', 'go', null);
    expect(engine.idle).toBe(false);
    await engine.waitFor('one');
    await until(() => engine!.idle);
    expect(engine.status('one')?.output).toBe('done');
    // Each busy stretch ends in one idle: no flapping inside a stretch.
    expect(changes).toEqual([false, true, false, true, false, true]);
  });
});
