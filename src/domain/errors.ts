/**
 * Typed failures. Activities throw these so orchestrators can decide without seeing SDK errors:
 * transient ones are retried by Durable's RetryOptions, permanent ones fail the step at once with a
 * message the user can act on.
 */
export type ErrorKind = 'transient' | 'permanent';

export abstract class FactoryError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(
    message: string,
    /** Azure's error code when there is one (`ResourceNotFound`, `PoolExists`, …), else our own. */
    readonly code: string,
    /** The Azure resource or field the failure concerns. */
    readonly target?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The shape that crosses the activity boundary; Durable only keeps message strings. */
  toJSON(): SerializedFactoryError {
    return { kind: this.kind, code: this.code, message: this.message, target: this.target };
  }
}

export class TransientError extends FactoryError {
  readonly kind = 'transient' as const;
  constructor(
    message: string,
    code: string,
    target?: string,
    /** Milliseconds the service asked us to wait (`Retry-After`), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message, code, target);
  }
}

export class PermanentError extends FactoryError {
  readonly kind = 'permanent' as const;
}

export interface SerializedFactoryError {
  kind: ErrorKind;
  code: string;
  message: string;
  target?: string;
}

const MARKER = 'BIF_ERROR:';

/**
 * Durable Functions passes only `Error.message` from an activity to its orchestrator, so the typed
 * error travels inside the message behind a marker and is read back with {@link parseFactoryError}.
 */
export function encodeForDurable(error: FactoryError): string {
  return `${MARKER}${JSON.stringify(error.toJSON())}`;
}

export function parseFactoryError(message: string): SerializedFactoryError | undefined {
  const at = message.indexOf(MARKER);
  if (at < 0) return undefined;
  try {
    const parsed = JSON.parse(message.slice(at + MARKER.length)) as SerializedFactoryError;
    return parsed.kind === 'transient' || parsed.kind === 'permanent' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
