import { NotFoundError, PermanentError, TransientError, type FactoryError } from '../domain/errors';

/**
 * Turns any SDK failure into a typed error. Transient: throttling, 5xx, timeouts, dropped connections.
 * Permanent: other 4xx, named with the resource, Azure's code and what the user can do; every 404 a
 * NotFoundError. No raw SDK error object leaves src/azure.
 */
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NETWORK = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ESOCKETTIMEDOUT',
  'REQUEST_SEND_ERROR',
]);
/**
 * 409s that clear by themselves: another operation holds the resource. Batch's PoolBeingResized ("The
 * specified pool is being resized") clears when the resize ends (its resizeTimeout, or a taskcompletion
 * shrink's last task): a drain retried later is right. The cutover restore cannot wait that long: it
 * reads the allocation state first and stops the resize (restoreShrunkPool). PoolBeingDeleted never
 * clears into a usable pool: permanent.
 */
const TRANSIENT_CONFLICTS = new Set([
  'Conflict',
  'AnotherOperationInProgress',
  'PoolBeingResized',
  'RetryableError',
]);

const HINTS: Record<string, string> = {
  AuthorizationFailed: 'Grant the managed identity the role listed in docs/deploy.md for this call.',
  AuthenticationFailed:
    'Use Microsoft Entra ID auth for Batch (gallery-image pools refuse shared keys) and check the identity.',
  InsufficientPermissions:
    'Grant the Batch identity read access to the image, and register Microsoft.Batch in the gallery subscription.',
  ResourceGroupNotFound: 'Create the resource group or fix the resource id.',
  ResourceNotFound: 'Check the resource id, or that the resource was not deleted.',
  ParentResourceNotFound: 'Create the parent (gallery or image definition) first, or fix the id.',
  NotFound: 'Check the resource id.',
  SubscriptionNotFound: 'Check the subscription id and that the identity can see it.',
  InvalidParameter: 'Fix the field Azure names in the message.',
  InvalidPropertyValue: 'Fix the property Batch names in the message.',
  PropertyChangeNotAllowed:
    'That property cannot change on an existing resource: use a new name, or match the existing one.',
  PoolExists: 'Choose a new pool id (a pool’s image cannot change in place).',
  AccountCoreQuotaReached: 'Ask for more Batch dedicated cores or lower targetDedicatedNodes.',
  // Spot nodes are the low-priority nodes of Batch-service accounts; Batch's PoolResizeErrorCodes list both codes.
  AccountLowPriorityCoreQuotaReached:
    'Ask for more Batch Spot/low-priority cores or lower targetLowPriorityNodes.',
  AccountSpotCoreQuotaReached: 'Ask for more Batch Spot/low-priority cores or lower targetLowPriorityNodes.',
  PoolQuotaReached: 'Ask for a Batch pool quota increase or delete unused pools.',
  ActiveJobAndScheduleQuotaReached:
    'Ask for a Batch active job and job schedule quota increase, or terminate finished jobs.',
  QuotaExceeded: 'Ask for a quota increase or reduce the request.',
  GalleryImageVersionNotFound: 'Check the version id.',
  PoolNotFound: 'Check the pool id.',
  PoolBeingDeleted: 'The pool is being deleted: wait until it is gone, or use another pool id.',
};

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  body?: unknown;
  response?: { status?: number };
  details?: unknown;
}

/** Batch puts its message in body.message.value; ms-rest-js then says "[object Object]". */
function messageOf(error: SdkErrorLike): string {
  const body = error.body as
    { message?: { value?: string } | string; values?: { key: string; value: string }[] } | undefined;
  const bodyMessage = typeof body?.message === 'object' ? body.message.value : body?.message;
  const base = (bodyMessage ?? error.message ?? String(error)).split('\nRequestId:')[0]!.trim();
  // The data plane names the property and reason in body.values; the management plane in error.details.
  const armDetails = (error.details as { error?: { details?: { code?: string; message?: string }[] } })?.error
    ?.details;
  const values =
    body?.values?.map((v) => `${v.key}: ${v.value}`).join('; ') ??
    armDetails?.map((d) => `${d.code}: ${d.message}`).join('; ');
  return values ? `${base} (${values})` : base;
}

export function toFactoryError(error: unknown, operation: string, target: string): FactoryError {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const status = e.statusCode ?? e.response?.status;
  const code = e.code ?? (status ? `Http${status}` : 'Unknown');
  const message = messageOf(e);
  if (status === undefined) {
    if (
      TRANSIENT_NETWORK.has(code) ||
      /socket hang up|ECONNRESET|timed? ?out|network/i.test(message) ||
      e.name === 'AbortError'
    ) {
      return new TransientError(
        `${operation} ${target}: the connection failed (${code}: ${message}); will retry.`,
        code,
        target,
      );
    }
    return new PermanentError(`${operation} ${target} failed unexpectedly: ${message}`, code, target);
  }
  if (
    TRANSIENT_STATUS.has(status) ||
    (status === 409 && (TRANSIENT_CONFLICTS.has(code) || busyOperationNotAllowed(code, message)))
  ) {
    return new TransientError(
      `${operation} ${target}: Azure answered ${status} ${code} (${message}); will retry.`,
      code,
      target,
    );
  }
  const hint =
    HINTS[code] ??
    (status === 403
      ? HINTS.AuthorizationFailed!
      : status === 404
        ? HINTS.NotFound!
        : 'Fix the request and submit it again.');
  // One convention for "not there": every 404 becomes a NotFoundError, whatever code the service chose.
  const Permanent = status === 404 ? NotFoundError : PermanentError;
  return new Permanent(
    `${operation} ${target}: Azure answered ${status} ${code}: ${message.replace(/\.+$/, '')}. ${hint}`,
    code,
    target,
  );
}

/** Runs one SDK call and maps whatever it throws. */
export async function azureCall<T>(operation: string, target: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toFactoryError(error, operation, target);
  }
}

/** True for a 404 of any SDK (for "missing means already deleted" and existence checks). */
export function isSdkNotFound(error: unknown): boolean {
  const e = error as SdkErrorLike;
  return (e?.statusCode ?? e?.response?.status) === 404;
}

/**
 * Azure answers 409 OperationNotAllowed both for a resource busy with another operation (it clears) and
 * for requests that can never succeed — a gallery image identifier (publisher/offer/sku) already taken,
 * a quota exceeded — which must fail at once instead of retrying for the whole retry budget.
 */
function busyOperationNotAllowed(code: string, message: string): boolean {
  return (
    code === 'OperationNotAllowed' &&
    /in progress|is being|currently|provisioning state|try again later/i.test(message) &&
    !/already exists|quota/i.test(message)
  );
}
