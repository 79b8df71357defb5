/**
 * The Durable client's answers, read in one place. durable-functions 3.5's DurableClient
 * (lib/src/durableClient/DurableClient.js in Azure/azure-functions-durable-js v3.5.0) keeps the
 * extension's HTTP status only inside its Error messages:
 * - getStatus on an unknown instance: "… replied with HTTP 404 response …";
 * - raiseEvent / terminate on an unknown instance: "No instance with ID '<id>' found.";
 * - anything else unexpected (startNew over an existing instance included):
 *   "The operation failed with an unexpected status code: <status>. Details: …".
 * A start refused because the instance exists is that generic error with 409, or the extension's
 * "already exists" text when it answers 400/500 instead (older hosts).
 */
/**
 * An instance id as the client must pass it. The client pastes the id into the URL path as is, and the
 * extension percent-decodes the path segment: "%A" would be malformed and "x%41y" would name "xAy".
 */
export const durableUrlId = (instanceId: string): string => encodeURIComponent(instanceId);

export type DurableAnswer = 'notFound' | 'exists' | 'failed';

const STATUS = /(?:HTTP (\d{3}) response|unexpected status code: (\d{3}))/;

export function durableAnswer(error: unknown): DurableAnswer {
  const message = error instanceof Error ? error.message : String(error);
  const match = STATUS.exec(message);
  const status = match ? Number(match[1] ?? match[2]) : undefined;
  if (status === 404 || /^No instance with ID '.*' found\.$/.test(message)) return 'notFound';
  if (status === 409 || /already exists/i.test(message)) return 'exists';
  return 'failed';
}

/** The answer of a read, or undefined when the instance does not exist; any other failure is thrown. */
export async function unlessMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (durableAnswer(error) === 'notFound') return undefined;
    throw error;
  }
}
