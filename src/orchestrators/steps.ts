import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { ActivityName } from '../activities/names';
import type { ActivityResult } from '../activities/result';
import { ACTIVITIES } from '../activities/names';
import { parseFactoryError, type SerializedFactoryError } from '../domain/errors';
import type { EventData, EventType } from '../domain/events';

/**
 * Building blocks for orchestrators: call a step with retries for transient errors only, wait with
 * durable timers, publish events. Everything here is deterministic: time comes from the context.
 */

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

export function scheduleStep(context: OrchestrationContext, name: ActivityName, input: unknown): Task {
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

/** One step, waited for. */
export function* step<T>(
  context: OrchestrationContext,
  name: ActivityName,
  input: unknown,
): Generator<Task, T, ActivityResult<T>> {
  let outcome: ActivityResult<T>;
  try {
    outcome = yield scheduleStep(context, name, input);
  } catch (error) {
    throw asStepError(name, error);
  }
  return unwrap(name, outcome);
}

/** Several steps at once (fan-out), all waited for; the first failure is reported. */
export function* steps<T>(
  context: OrchestrationContext,
  name: ActivityName,
  inputs: unknown[],
): Generator<Task, T[], ActivityResult<T>[]> {
  if (inputs.length === 0) return [];
  let outcomes: ActivityResult<T>[];
  try {
    outcomes = yield context.df.Task.all(inputs.map((input) => scheduleStep(context, name, input)));
  } catch (error) {
    throw asStepError(name, error);
  }
  return outcomes.map((o) => unwrap(name, o));
}

/**
 * Several steps at once, each with its own outcome: a permanent failure of one does not hide what the
 * others did (a pool that was created must still be waited for). Retries exhausted still throw.
 */
export function* settledSteps<T>(
  context: OrchestrationContext,
  name: ActivityName,
  inputs: unknown[],
): Generator<Task, ActivityResult<T>[], ActivityResult<T>[]> {
  if (inputs.length === 0) return [];
  try {
    return yield context.df.Task.all(inputs.map((input) => scheduleStep(context, name, input)));
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

export interface EventSpec<T extends EventType = EventType> {
  type: T;
  subject: string;
  data: EventData<T>;
}

export function* publish(
  context: OrchestrationContext,
  owner: { instanceId: string; requestId: string; occurrence?: string },
  events: EventSpec[],
): Generator<Task, void, ActivityResult<unknown>> {
  yield* step(context, ACTIVITIES.publishEvents, {
    instanceId: owner.instanceId,
    requestId: owner.requestId,
    occurrence: owner.occurrence,
    events,
  });
}

export const nowIso = (context: OrchestrationContext): string => context.df.currentUtcDateTime.toISOString();
export const nowMs = (context: OrchestrationContext): number => context.df.currentUtcDateTime.getTime();

/** "90 minutes", "36 hours": deadlines in failure messages. */
export function describeMs(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 180 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}
