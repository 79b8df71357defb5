import { json, query, type SimRequest, type SimResponse } from '../http';
import type { Operation } from '../model';
import type { World } from '../world';
import { provisioningState } from './kinds';
import { armError } from './armErrors';

/** Status of a long-running operation, derived from its resource or its fixed end. */
function operationStatus(
  op: Operation,
  world: World,
): {
  status: 'InProgress' | 'Succeeded' | 'Failed';
  endMs?: number;
  error?: { code: string; message: string };
} {
  const now = world.now();
  if (op.kind === 'delete') {
    if (now < (op.endsAtSimMs ?? 0)) return { status: 'InProgress' };
    return op.failure
      ? { status: 'Failed', endMs: op.endsAtSimMs, error: op.failure }
      : { status: 'Succeeded', endMs: op.endsAtSimMs };
  }
  const resource = world.resource(op.resourceId);
  if (!resource)
    return {
      status: 'Failed',
      error: { code: 'ResourceNotFound', message: `${op.resourceId} no longer exists.` },
    };
  const state = provisioningState(resource, now);
  if (state === 'Creating' || state === 'Updating') return { status: 'InProgress' };
  if (state === 'Failed') return { status: 'Failed', endMs: resource.readyAtSimMs, error: resource.failure };
  return { status: 'Succeeded', endMs: resource.readyAtSimMs ?? resource.createdAtSimMs };
}

export function operationUrls(origin: string, op: Operation): { asyncOperation: string; location: string } {
  const base = `${origin}/subscriptions/${op.subscriptionId}/providers/Microsoft.Compute/locations/${op.location || 'global'}/operations/${op.id}`;
  return {
    asyncOperation: `${base}?api-version=2025-03-03`,
    location: `${base}?monitor=true&api-version=2025-03-03`,
  };
}

/** GET of an operation: Azure-AsyncOperation answers status JSON; the Location (monitor) form answers 202 until done. */
export function serveOperation(world: World, req: SimRequest, id: string, retryAfter: string): SimResponse {
  const op = world.state.operations[id];
  if (!op) return armError(404, 'OperationNotFound', `Operation ${id} was not found.`);
  const status = operationStatus(op, world);
  if (query(req, 'monitor') === 'true') {
    if (status.status === 'InProgress')
      return json(202, undefined, { Location: req.url.toString(), 'Retry-After': retryAfter });
    if (status.status === 'Failed')
      return armError(
        400,
        status.error?.code ?? 'OperationFailed',
        status.error?.message ?? 'The operation failed.',
      );
    return json(op.kind === 'delete' ? 204 : 200);
  }
  return json(
    200,
    {
      name: op.id,
      status: status.status,
      startTime: new Date(op.startedAtSimMs).toISOString(),
      ...(status.endMs !== undefined && status.status !== 'InProgress'
        ? { endTime: new Date(status.endMs).toISOString() }
        : {}),
      ...(status.error ? { error: status.error } : {}),
    },
    status.status === 'InProgress' ? { 'Retry-After': retryAfter } : {},
  );
}
