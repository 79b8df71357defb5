import type { DurableEngine } from '../../../src/local/host/durable/engine';
import { engineWith } from '../../helpers/engine';

/**
 * Azure: "If the instance isn't waiting on the specified event name, the event message is added to an
 * in-memory queue. If the orchestration instance later begins listening for that event name, it checks
 * the queue for event messages" (durable-functions-external-events). An approval sent before the
 * pipeline reaches its wave must therefore not be lost, on the embedded engine as in Azure.
 */
const engines: DurableEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop().catch(() => undefined)));
});

describe('external events raised before the orchestration waits for them', () => {
  it('are kept, in order, for the waits that come later', async () => {
    const { engine } = engineWith(
      {
        late: function* (context) {
          // Busy elsewhere first: a timer of an hour (virtual) and an activity.
          yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
          const work = yield context.df.callActivity('work', null);
          const first = yield context.df.waitForExternalEvent('approve');
          const second = yield context.df.waitForExternalEvent('approve');
          return { work, first, second };
        },
      },
      { work: async () => 'done' },
    );
    engines.push(engine);
    engine.startNew('late', 'early-1', null);
    expect(engine.raiseEvent('early-1', 'approve', { wave: 2 })).toBe(true);
    expect(engine.raiseEvent('early-1', 'approve', { wave: 3 })).toBe(true);
    const status = await engine.waitFor('early-1', ['Completed', 'Failed'], 20_000);
    expect(status.output).toEqual({ work: 'done', first: { wave: 2 }, second: { wave: 3 } });
    // An instance that has ended takes no event (the HTTP API answers 410 Gone).
    expect(engine.raiseEvent('early-1', 'approve', {})).toBe(false);
  });
});
