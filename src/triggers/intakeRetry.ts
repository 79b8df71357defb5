import { FactoryError, type ErrorKind } from '../domain/errors';
import type { TriggerLog } from './starter';

/**
 * Waits between tries of a Service Bus intake whose dependencies failed transiently: 3 tries over
 * 40 s. A Service Bus trigger gets no Functions retry policy
 * (learn.microsoft.com/azure/azure-functions/functions-bindings-error-pages#retries) and an abandoned
 * message is delivered again at once, so without these waits a blip of a few seconds would spend the
 * queue's whole maxDeliveryCount. 40 s sits well inside the extension's lock renewal
 * (maxAutoLockRenewalDuration, 5 minutes by default) and the function timeout.
 */
export const INTAKE_RETRY_DELAYS_MS: readonly number[] = [10_000, 30_000];

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** The Durable client keeps the extension's HTTP status only in its messages (src/azure/durableAnswers.ts). */
const HTTP_STATUS = /(?:HTTP (\d{3}) response|unexpected status code: (\d{3}))/;

/**
 * Whether a failure of the intake's dependencies (Durable client, event publisher) may clear by
 * itself. Typed errors say so themselves; a Durable answer is transient when its status is throttling
 * or a server error and permanent for any other 4xx; anything else (a refused connection, a reset, an
 * error we do not know) is treated as transient, so a valid request is never given up on for it at once.
 */
export function intakeFailureKind(error: unknown): ErrorKind {
  if (error instanceof FactoryError) return error.kind;
  const match = HTTP_STATUS.exec(error instanceof Error ? error.message : String(error));
  const status = match ? Number(match[1] ?? match[2]) : undefined;
  if (status === undefined || TRANSIENT_STATUS.has(status)) return 'transient';
  return status >= 400 && status < 500 ? 'permanent' : 'transient';
}

export interface RetryOptions {
  delaysMs: readonly number[];
  log: TriggerLog;
  /** What is being tried, for the log. */
  what: string;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt`, trying again after each delay while it fails transiently; a permanent failure, or
 * the last transient one, is thrown as it came.
 */
export async function retryTransient<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? wait;
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = options.delaysMs[tried];
      if (delay === undefined || intakeFailureKind(error) === 'permanent') throw error;
      options.log.warn(
        `${options.what} failed transiently (try ${tried + 1} of ${options.delaysMs.length + 1}): ${(error as Error).message}; trying again in ${delay} ms.`,
      );
      await sleep(delay);
    }
  }
}
