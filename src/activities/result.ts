import {
  PermanentError,
  TransientError,
  encodeForDurable,
  type SerializedFactoryError,
} from '../domain/errors';

/**
 * What an activity returns. Permanent failures come back as a value, so Durable's RetryOptions
 * (which retry every thrown error) only ever retry transient ones; the orchestrator turns a
 * permanent failure into a failed step at once.
 */
export type ActivityResult<T> = { ok: true; value: T } | { ok: false; error: SerializedFactoryError };

export async function runActivity<T>(work: () => Promise<T>): Promise<ActivityResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof PermanentError) return { ok: false, error: error.toJSON() };
    if (error instanceof TransientError) throw new Error(encodeForDurable(error));
    // Anything untyped is a bug or an unexpected failure: retry it like a transient one, with its message.
    throw error;
  }
}
