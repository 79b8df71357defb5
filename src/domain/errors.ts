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

/**
 * Retried by Durable's RetryOptions. No Retry-After here: the SDK clients' own retry policies already
 * wait as the service asks (core-rest-pipeline's throttlingRetryPolicy), and the wait between activity
 * attempts is the orchestrator's RetryOptions, which cannot vary per failure.
 */
export class TransientError extends FactoryError {
  readonly kind = 'transient' as const;
}

export class PermanentError extends FactoryError {
  readonly kind = 'permanent' as const;
}

/**
 * The resource is not there: Azure's 404, whatever code it carries (ResourceNotFound,
 * ParentResourceNotFound, PoolNotFound, …). The adapters translate once (src/azure/errors.ts); callers
 * test the type, never the code or the message.
 */
export class NotFoundError extends PermanentError {}

function isNotFound(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError;
}

/** `value` when the read found nothing; any other failure is rethrown. */
export async function whenMissing<T, U>(read: Promise<T>, value: U): Promise<T | U> {
  try {
    return await read;
  } catch (error) {
    if (isNotFound(error)) return value;
    throw error;
  }
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

/**
 * Reads the typed error back from whatever text reaches the orchestrator. In Azure that is not the
 * bare message: the Durable extension prefixes "Activity function '<name>' failed: " and
 * durable-functions appends " \n " + the serialized exception (see
 * src/local/host/durable/activityFailure.ts for the sources), so the JSON is cut at its own closing
 * brace rather than parsed to the end of the text.
 */
export function parseFactoryError(message: string): SerializedFactoryError | undefined {
  for (let at = message.indexOf(MARKER); at >= 0; at = message.indexOf(MARKER, at + 1)) {
    const json = leadingJsonObject(message, at + MARKER.length);
    if (json === undefined) continue;
    try {
      const parsed = JSON.parse(json) as SerializedFactoryError;
      if (parsed.kind === 'transient' || parsed.kind === 'permanent') return parsed;
    } catch {
      // not our JSON after all: try the next marker
    }
  }
  return undefined;
}

/** The JSON object that starts at `start`, up to its matching brace (strings and escapes respected). */
function leadingJsonObject(text: string, start: number): string | undefined {
  if (text[start] !== '{') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}
