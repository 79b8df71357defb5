/**
 * The Durable extension's 16 KB limit on custom status, applied the way the extension applies it.
 *
 * Out-of-process orchestrators hand their custom status back with every episode; the extension calls
 * `SetCustomStatus` on it before it replays the episode's actions
 * (Listener/OutOfProcOrchestrationShim.cs), and `SetCustomStatus` serializes it with a 16 KB limit
 * (ContextImplementations/DurableOrchestrationContext.cs → MessagePayloadDataConverter.Serialize, which
 * counts the JSON's UTF-16 bytes and truncates to whole KB before comparing). Over the limit it throws an
 * ArgumentException: none of the episode's actions are scheduled and the instance fails. When the
 * orchestrator returned normally, the extension wraps the message as "Orchestrator function '…' failed: …"
 * (Listener/TaskOrchestrationShim.cs); when the orchestrator itself threw, the exception escapes that
 * handler and the bare message is the failure.
 */
const MAX_CUSTOM_STATUS_KB = 16;

/** UTF-16 bytes of the status as JSON: a JavaScript string's length counts UTF-16 code units. */
export function customStatusBytes(customStatus: unknown): number {
  const json = JSON.stringify(customStatus);
  return json === undefined ? 0 : json.length * 2;
}

/** The extension's failure message for a status over the limit, or undefined when it fits. */
export function customStatusViolation(
  orchestrator: string,
  customStatus: unknown,
  orchestratorThrew: boolean,
): string | undefined {
  if (customStatus === undefined || customStatus === null) return undefined;
  const sizeKb = Math.trunc(customStatusBytes(customStatus) / 1024);
  if (sizeKb <= MAX_CUSTOM_STATUS_KB) return undefined;
  const message = `The UTF-16 size of the JSON-serialized payload must not exceed ${MAX_CUSTOM_STATUS_KB} KB. The current payload size is ${sizeKb.toLocaleString('en-US')} KB.`;
  return orchestratorThrew ? message : `Orchestrator function '${orchestrator}' failed: ${message}`;
}
