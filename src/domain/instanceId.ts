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

/**
 * Instance ids the app names for itself (a definition's ledger, an Event Grid rollout, the intake speaking
 * for a refused message) start with "bif:". A pipeline's id is "bif-" and its requestId, and a requestId
 * never holds ":" (REQUEST_ID_PATTERN), while Durable instance ids may: no requestId can take an
 * internal id, such as requestId "ledger-x-1a2b" taking the ledger "bif-ledger-x-1a2b".
 */
export const INTERNAL_ID_PREFIX = 'bif:';

/** `bif:<kind>-<rest>`, with characters outside the usual id set made "-". */
export function internalInstanceId(kind: 'ledger' | 'rollout' | 'intake', rest: string): string {
  return `${INTERNAL_ID_PREFIX}${kind}-${rest}`.replace(/[^A-Za-z0-9_.:-]/g, '-');
}
