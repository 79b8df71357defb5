/**
 * The Durable extension's rules for an orchestration instance id a client names (DurableClient.StartNewAsync):
 * refused, never cut. One rule for the embedded engine, which refuses such an id, and the status routes,
 * which answer 400 for it.
 */
const MAX_INSTANCE_ID_LENGTH = 256;

/** What is wrong with `instanceId` as an orchestration instance id, or undefined when nothing is. */
export function instanceIdProblem(instanceId: string): string | undefined {
  if (instanceId.length === 0) return 'Orchestration instance ids must not be empty.';
  if (instanceId.startsWith('@')) return 'Orchestration instance ids must not start with @.';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(instanceId))
    return 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.';
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH)
    return `Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`;
  return undefined;
}
