/**
 * Durable Task history events in the JSON shape the durable-functions replay engine reads
 * (EventType numbers, PascalCase fields, JSON-encoded payloads).
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export function historyEvent(
  type: number,
  atMs: number,
  fields: Record<string, unknown> = {},
  eventId = -1,
): HistoryEvent {
  return {
    EventType: type,
    EventId: eventId,
    IsPlayed: false,
    Timestamp: new Date(atMs).toISOString(),
    ...fields,
  };
}

/** Results travel as JSON text, undefined as no text. */
export function encode(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** Action types of the orchestrator's answer. */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: string | Date;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
  };
  compoundActions?: Action[];
}

/**
 * The atomic actions in the order the library numbers its tasks: nested arrays (schema V1) and
 * compound WhenAll/WhenAny actions (V2+) flattened depth first.
 */
export function flattenActions(actions: unknown): Action[] {
  const out: Action[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const action = value as Action;
      if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny)
        (action.compoundActions ?? []).forEach(walk);
      else out.push(action);
    }
  };
  walk(actions);
  return out;
}

/** Whether an action takes a task id (external events are keyed by name instead). */
export function takesTaskId(action: Action): boolean {
  return (
    action.actionType !== ActionType.WaitForExternalEvent && action.actionType !== ActionType.ContinueAsNew
  );
}

/** A short description for non-determinism errors. */
export function describeAction(action: Action): string {
  const name = action.functionName ?? action.externalEventName ?? '';
  const kind =
    Object.entries(ActionType).find(([, v]) => v === action.actionType)?.[0] ?? `action ${action.actionType}`;
  return name ? `${kind}(${name})` : kind;
}

export function sameAction(a: Action, b: Action): boolean {
  return (
    a.actionType === b.actionType &&
    (a.functionName ?? a.externalEventName ?? '') === (b.functionName ?? b.externalEventName ?? '')
  );
}
