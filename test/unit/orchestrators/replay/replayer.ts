import { InvocationContext } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import {
  ActionType,
  EventType,
  encode,
  flattenActions,
  historyEvent,
  takesTaskId,
  type Action,
  type HistoryEvent,
} from '../../../../src/local/host/durable/history';
import type { SerializedFactoryError } from '../../../../src/domain/errors';

/**
 * Replay at the level of the Durable protocol, as durable-js's own orchestrator specs do: a history
 * goes into the library's replay engine, the actions it decides come out. No engine, no SQLite: each
 * turn appends OrchestratorStarted plus one new event, and the scripted world below answers the
 * actions the turn produced (activities at once, timers at their FireAt, children with an outcome).
 */
export interface World {
  /** An activity's value, or `{ permanent }` for a failure it reports as a value (ActivityResult). */
  activity(name: string, input: any, nowMs: number): unknown;
  child?(name: string, input: any, instanceId: string): unknown;
  /** The data of an external event the orchestrator waits for; undefined: it never comes. */
  event?(name: string): unknown;
}

export const permanent = (code: string, message: string) => ({
  permanent: { kind: 'permanent', code, message } satisfies SerializedFactoryError,
});

/** The image version and the Batch account the replayed region runs use (the account in `region`). */
export const VERSION =
  '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/img/versions/1.0.0';
export const accountIn = (region: string) => ({
  id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Batch/batchAccounts/acc',
  endpoint: 'https://acc',
  region,
});

export interface Turn {
  atMs: number;
  /** What the orchestrator decided in this turn: the actions not seen in earlier turns. */
  actions: Action[];
}

export interface Replay {
  turns: Turn[];
  /** Every activity the orchestrator called, with its input, in order. */
  calls: { name: string; input: any; atMs: number }[];
  done: boolean;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

const START_MS = Date.parse('2026-01-01T00:00:00Z');
const OUT_OF_PROC = '$OutOfProcData$:';

export async function replay(
  orchestrator: OrchestrationHandler,
  input: unknown,
  world: World,
  options: { instanceId?: string; maxTurns?: number } = {},
): Promise<Replay> {
  const handler = createOrchestrator(orchestrator as never) as unknown as (
    t: unknown,
    c: unknown,
  ) => Promise<any>;
  const instanceId = options.instanceId ?? 'replay-instance';
  const history: HistoryEvent[] = [];
  const inbox: { atMs: number; seq: number; event: HistoryEvent }[] = [];
  let seq = 0;
  const deliver = (atMs: number, event: HistoryEvent) => inbox.push({ atMs, seq: seq++, event });
  deliver(START_MS, historyEvent(EventType.ExecutionStarted, START_MS, { Name: 'o', Input: encode(input) }));
  const result: Replay = { turns: [], calls: [], done: false };
  let recorded = 0;
  let nextTaskId = 0;
  let now = START_MS;
  for (let turn = 0; turn < (options.maxTurns ?? 5_000) && inbox.length > 0; turn++) {
    inbox.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    const next = inbox.shift()!;
    now = Math.max(now, next.atMs);
    const fresh = [historyEvent(EventType.OrchestratorStarted, now), next.event];
    const answer = await handler(
      {
        history: structuredClone([...history.map((e) => ({ ...e, IsPlayed: true })), ...fresh]),
        // A fresh copy per turn, as the host deserializes it from history: an orchestrator that changes
        // its input within a turn (the region's re-plan) must not see that change in the next replay.
        input: structuredClone(input),
        instanceId,
        isReplaying: history.length > 0,
        parentInstanceId: undefined,
        upperSchemaVersion: 1,
        upperSchemaVersionNew: 2,
        maximumShortTimerDuration: '6.00:00:00',
        longRunningTimerIntervalDuration: '3.00:00:00',
        defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
      },
      new InvocationContext({
        invocationId: `${instanceId}:${turn}`,
        functionName: 'o',
        logHandler: () => {},
      }),
    ).catch((error: Error) => {
      const at = error.message.indexOf(OUT_OF_PROC);
      const state = at >= 0 ? JSON.parse(error.message.slice(at + OUT_OF_PROC.length)) : {};
      return { ...state, error: state.error ?? error.message };
    });
    history.push(...fresh);
    const actions = flattenActions(answer.actions);
    const decided = actions.slice(recorded);
    recorded = actions.length;
    result.turns.push({ atMs: now, actions: decided });
    result.customStatus = answer.customStatus ?? result.customStatus;
    for (const action of decided) answerAction(action, takesTaskId(action) ? nextTaskId++ : -1);
    if (answer.error !== undefined || answer.isDone) {
      Object.assign(result, { done: !!answer.isDone, output: answer.output, error: answer.error });
      break;
    }
  }
  return result;

  function answerAction(action: Action, taskId: number): void {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        history.push(historyEvent(EventType.TaskScheduled, now, { Name: action.functionName }, taskId));
        result.calls.push({ name: action.functionName!, input: action.input, atMs: now });
        const value = world.activity(action.functionName!, action.input, now) as any;
        const outcome =
          value && value.permanent ? { ok: false, error: value.permanent } : { ok: true, value };
        const done = { TaskScheduledId: taskId, Result: encode(outcome) };
        deliver(now, historyEvent(EventType.TaskCompleted, now, done));
        return;
      }
      case ActionType.CreateTimer: {
        const fireAt = new Date(action.fireAt as string).getTime();
        const at = new Date(fireAt).toISOString();
        history.push(historyEvent(EventType.TimerCreated, now, { FireAt: at }, taskId));
        deliver(fireAt, historyEvent(EventType.TimerFired, fireAt, { TimerId: taskId, FireAt: at }));
        return;
      }
      case ActionType.CallSubOrchestrator: {
        const created = { Name: action.functionName, InstanceId: action.instanceId };
        history.push(historyEvent(EventType.SubOrchestrationInstanceCreated, now, created, taskId));
        const value = world.child?.(action.functionName!, action.input, action.instanceId!);
        const done = { TaskScheduledId: taskId, Result: encode(value) };
        deliver(now, historyEvent(EventType.SubOrchestrationInstanceCompleted, now, done));
        return;
      }
      case ActionType.WaitForExternalEvent: {
        const data = world.event?.(action.externalEventName!);
        const raised = { Name: action.externalEventName, Input: encode(data) };
        if (data !== undefined) deliver(now, historyEvent(EventType.EventRaised, now, raised));
        return;
      }
      default:
        return;
    }
  }
}

/** The events a run published, flattened from its publishEvents calls. */
export const published = (run: Replay) =>
  run.calls
    .filter((c) => c.name === 'publishEvents')
    .flatMap((c) => c.input.events as { type: string; data: any }[]);
