import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
// Type-only: orchestrators replay, so they never load activity code; they borrow its signatures.
import type { Activities } from '../activities';
import type * as catalog from '../activities/catalog';
import type { ActivityResult } from '../activities/result';
import { parseFactoryError, type SerializedFactoryError } from '../domain/errors';
import type { EventToPublish } from '../domain/events';

/**
 * Building blocks for orchestrators: call an activity with retries for transient errors only, wait with
 * durable timers, publish events. Everything here is deterministic: time comes from the context.
 */

/** The name an activity is registered under in Azure, which is its key in the activity map. */
type ActivityName = keyof Activities;
/** What an activity takes and gives back, read from its own signature. */
export type InputOf<K extends ActivityName> = Parameters<Activities[K]>[1];
export type ResultOf<K extends ActivityName> = Awaited<ReturnType<Activities[K]>>;

/** A step that failed for good: permanent error, or transient errors outlasting the retries. */
export class StepFailedError extends Error {
  constructor(
    readonly step: string,
    readonly failure: SerializedFactoryError,
  ) {
    super(`${step}: ${failure.message}`);
    this.name = 'StepFailedError';
  }
}

/** Transient failures retry 5 times, 5 s → 80 s apart (simulated time on the local clock). */
export function transientRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(5_000, 5);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 80_000;
  return retry;
}

function schedule<K extends ActivityName>(context: OrchestrationContext, name: K, input: InputOf<K>): Task {
  return context.df.callActivityWithRetry(name, transientRetry(), input);
}

/** Unwraps what a step returned, or the error its retries ended with, into a value or a StepFailedError. */
export function unwrap<T>(name: string, outcome: ActivityResult<T>): T {
  if (outcome.ok) return outcome.value;
  throw new StepFailedError(name, outcome.error);
}

export function asStepError(name: string, error: unknown): StepFailedError {
  if (error instanceof StepFailedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const parsed = parseFactoryError(message);
  return new StepFailedError(
    name,
    parsed ?? { kind: 'transient', code: 'RetriesExhausted', message: message.split('\n')[0]!.trim() },
  );
}

/** One activity, waited for: `yield* activities(context).preflight(input)` gives preflight's own result. */
function* call<K extends ActivityName>(
  context: OrchestrationContext,
  name: K,
  input: InputOf<K>,
): Generator<Task, ResultOf<K>, ActivityResult<ResultOf<K>>> {
  let outcome: ActivityResult<ResultOf<K>>;
  try {
    outcome = yield schedule(context, name, input);
  } catch (error) {
    throw asStepError(name, error);
  }
  return unwrap(name, outcome);
}

/** One activity per input, all at once (fan-out), all waited for; the first failure is reported. */
function* callEach<K extends ActivityName>(
  context: OrchestrationContext,
  name: K,
  inputs: InputOf<K>[],
): Generator<Task, ResultOf<K>[], ActivityResult<ResultOf<K>>[]> {
  const outcomes = yield* callEachSettled(context, name, inputs);
  return outcomes.map((o) => unwrap(name, o));
}

/**
 * One activity per input, all at once, each with its own outcome: a permanent failure of one does not
 * hide what the others did (a pool that was created must still be waited for). Retries exhausted still
 * throw.
 */
function* callEachSettled<K extends ActivityName>(
  context: OrchestrationContext,
  name: K,
  inputs: InputOf<K>[],
): Generator<Task, ActivityResult<ResultOf<K>>[], ActivityResult<ResultOf<K>>[]> {
  if (inputs.length === 0) return [];
  try {
    return yield context.df.Task.all(inputs.map((input) => schedule(context, name, input)));
  } catch (error) {
    throw asStepError(name, error);
  }
}

export function* sleep(context: OrchestrationContext, ms: number): Generator<Task, void, unknown> {
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + ms));
}

/** Polling intervals: start short, grow by half each time nothing changes, never past the maximum. */
export function nextInterval(current: number, changed: boolean, min: number, max: number): number {
  return changed ? min : Math.min(max, Math.round(current * 1.5));
}

/**
 * While something progresses at a steady rate (replication percent, nodes allocated), wait about a
 * third of its expected remaining time: few reads on long work, a close look near the end. Without a
 * rate yet, fall back to the backoff above.
 */
export function intervalFromProgress(
  progress: number,
  elapsedMs: number,
  fallback: number,
  min: number,
  max: number,
): number {
  if (progress <= 0 || progress >= 100 || elapsedMs <= 0) return fallback;
  const remainingMs = ((100 - progress) * elapsedMs) / progress;
  return Math.max(min, Math.min(max, Math.round(remainingMs / 3)));
}

/** Publishes milestones as this instance; event ids come from the owner, so re-sends are deduplicated. */
export function* publish(
  context: OrchestrationContext,
  owner: { instanceId: string; requestId: string; occurrence?: string },
  events: EventToPublish[],
) {
  yield* activities(context).publishEvents({
    instanceId: owner.instanceId,
    requestId: owner.requestId,
    occurrence: owner.occurrence,
    events,
  });
}

export const nowIso = (context: OrchestrationContext): string => context.df.currentUtcDateTime.toISOString();
export const nowMs = (context: OrchestrationContext): number => context.df.currentUtcDateTime.getTime();

export { describeMs } from '../domain/duration';

// Temporal's proxyActivities, for Durable: the activities as methods of an object whose type is read
// from the activity modules themselves, so go-to-definition on a call opens the activity.
type Catalog = Pick<typeof catalog, ActivityName>;

/** One activity as an orchestrator calls it: `(input)` waits for one, `.each` / `.eachSettled` fan out. */
export interface ActivityStub<K extends ActivityName> {
  (input: InputOf<K>): Generator<Task, ResultOf<K>, ActivityResult<ResultOf<K>>>;
  each(inputs: InputOf<K>[]): Generator<Task, ResultOf<K>[], ActivityResult<ResultOf<K>>[]>;
  eachSettled(
    inputs: InputOf<K>[],
  ): Generator<Task, ActivityResult<ResultOf<K>>[], ActivityResult<ResultOf<K>>[]>;
}

export type ActivityProxy = { [K in keyof Catalog]: ActivityStub<K> };

/** `yield* activities(context).preflight(input)`: the activity `preflight`, with retries for transient errors. */
export function activities(context: OrchestrationContext): ActivityProxy {
  return new Proxy({} as ActivityProxy, {
    get(_target, name) {
      const activity = String(name) as ActivityName;
      const stub = (input: never) => call(context, activity, input);
      return Object.assign(stub, {
        each: (inputs: never[]) => callEach(context, activity, inputs),
        eachSettled: (inputs: never[]) => callEachSettled(context, activity, inputs),
      });
    },
  });
}
