import type { OrchestrationContext } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableEngine } from '../../../src/local/host/durable/engine';
import { DurableStore } from '../../../src/local/host/durable/store';
import { EventType, historyEvent } from '../../../src/local/host/durable/history';
import { HandClock } from '../../helpers/handClock';

/**
 * Messages fetched in one batch, as Azure's Durable Task Framework appends them: a timer that fired and
 * an event raised in the same instant reach the orchestrator in one turn, and continue-as-new keeps the
 * client-raised events no turn has delivered yet.
 */

/** Waits for an event or a timer; after the timer wins, one more due timer lets same-batch events land. */
const raceTimerAndEvent = function* (context: OrchestrationContext): Generator<unknown, unknown, any> {
  const event = context.df.waitForExternalEvent('op');
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
  const winner = yield context.df.Task.any([event, timer]);
  const settle = context.df.createTimer(context.df.currentUtcDateTime);
  const late = winner === timer ? yield context.df.Task.any([event, settle]) : undefined;
  return { timerWon: winner === timer, eventLanded: late === event, event: event.result ?? null };
};

let engine: DurableEngine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

describe('one turn delivers every pending message of the instance', () => {
  it('hands the orchestrator a fired timer and a raised event together, in arrival order', async () => {
    const clock = new HandClock();
    engine = new DurableEngine({ dbPath: ':memory:', clock });
    engine.registerOrchestrator('race', createOrchestrator(raceTimerAndEvent as never) as never);
    engine.start();
    engine.startNew('race', 'r1', null);
    await engine.waitFor('r1', ['Running']);
    while (!((engine.store.nextTimerAt() ?? 0) > clock.nowMs())) await new Promise((r) => setTimeout(r, 5));
    // The timer's due time comes and, in the same instant, a client raises the event.
    clock.set(engine.store.nextTimerAt()!);
    expect(engine.raiseEvent('r1', 'op', { n: 1 })).toBe(true);
    const done = await engine.waitFor('r1', ['Completed', 'Failed'], 10_000);
    expect(done.output).toEqual({ timerWon: true, eventLanded: true, event: { n: 1 } });
    // Both messages in one turn: the event follows the timer in the history with no turn between them.
    const types = (engine.status('r1', { showHistory: true })!.historyEvents as { EventType: number }[]).map(
      (e) => e.EventType,
    );
    const fired = types.indexOf(EventType.TimerFired);
    expect(types.slice(fired - 1, fired + 2)).toEqual([
      EventType.OrchestratorStarted,
      EventType.TimerFired,
      EventType.EventRaised,
    ]);
  });
});

describe('continue-as-new', () => {
  it('keeps client-raised events no turn delivered for the new execution, after its start, and drops the old execution work', () => {
    const store = new DurableStore(':memory:');
    const now = 1_000;
    store.enqueue('i', historyEvent(EventType.TimerFired, now, { TimerId: 0 }), now + 5);
    store.enqueue('i', historyEvent(EventType.EventRaised, now, { Name: 'op', Input: '1' }), now);
    store.enqueue('i', historyEvent(EventType.TaskCompleted, now, { TaskScheduledId: 1 }), now);
    store.enqueue('i', historyEvent(EventType.EventRaised, now, { Name: 'op', Input: '2' }), now);
    store.restartExecution('i', historyEvent(EventType.ExecutionStarted, now, { Name: 'x' }), now, 'e2');
    const left = store.pendingInbox('i', now + 10).map((m) => [m.event.EventType, m.event.Input]);
    expect(left).toEqual([
      [EventType.ExecutionStarted, undefined],
      [EventType.EventRaised, '1'],
      [EventType.EventRaised, '2'],
    ]);
    store.close();
  });
});
