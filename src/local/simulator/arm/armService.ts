import { json, query, type SimRequest, type SimResponse } from '../http';
import type { ArmResource, Operation } from '../model';
import type { World } from '../world';
import type { TimingOverrides } from '../timing';
import { takeFault } from '../faults';
import { ArmFailure, armError, notFound } from './armErrors';
import { isCollection, parseArmPath, resourceIdOf, typeKey, type ArmPath } from './armPath';
import { renderResource, type KindContext, type ResourceKind } from './kinds';
import { diskKind, managedImageKind, snapshotKind, virtualMachineKind } from './computeKinds';
import { galleryImageKind, galleryImageVersionKind, galleryKind } from './galleryKinds';
import { operationUrls, serveOperation } from './operations';
import { serveArmPools } from '../batch/armPools';

const KINDS: ResourceKind[] = [
  virtualMachineKind,
  diskKind,
  snapshotKind,
  managedImageKind,
  galleryKind,
  galleryImageKind,
  galleryImageVersionKind,
];
const BY_TYPE = new Map(KINDS.map((k) => [k.type.toLowerCase(), k]));

export interface ArmOptions {
  origin: string;
  pageSize: number;
  timing: TimingOverrides;
  /** Real seconds to put in Retry-After of LRO answers. */
  retryAfterSeconds: () => string;
}

/** Azure Resource Manager for the Compute and Gallery resources the pipeline uses. */
export function serveArm(world: World, req: SimRequest, options: ArmOptions): SimResponse {
  if (!query(req, 'api-version')) {
    return armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  const path = parseArmPath(req.segments);
  if (!path) return armError(404, 'InvalidResourceType', `No route for ${req.url.pathname}.`);
  const subscription = world.state.subscriptions[path.subscriptionId.toLowerCase()];
  if (!subscription)
    return armError(
      404,
      'SubscriptionNotFound',
      `The subscription '${path.subscriptionId}' could not be found.`,
    );

  try {
    if (!path.resourceGroup) return serveSubscriptionScope(world, req, path, options);
    const group = subscription.resourceGroups[path.resourceGroup.toLowerCase()];
    if (!group)
      throw new ArmFailure(
        404,
        'ResourceGroupNotFound',
        `Resource group '${path.resourceGroup}' could not be found.`,
      );
    // Batch pools share one model with the data plane: served by the Batch side of the simulator.
    if (typeKey(path).startsWith('microsoft.batch/batchaccounts/'))
      return serveArmPools(world, req, path, options);
    const kind = BY_TYPE.get(typeKey(path));
    if (!kind)
      throw new ArmFailure(
        400,
        'InvalidResourceType',
        `The resource type '${typeKey(path)}' is not served by this simulator.`,
      );
    if (isCollection(path)) return list(world, req, path, kind, options);
    return serveResource(world, req, path, kind, options);
  } catch (error) {
    if (error instanceof ArmFailure) return error.toResponse();
    throw error;
  }
}

function serveSubscriptionScope(
  world: World,
  req: SimRequest,
  path: ArmPath,
  options: ArmOptions,
): SimResponse {
  // GET /subscriptions/{s}/providers/{namespace}
  if (path.provider && path.types.length === 0 && req.method === 'GET') {
    const subscription = world.state.subscriptions[path.subscriptionId.toLowerCase()]!;
    const state = subscription.providers[path.provider.toLowerCase()] ?? 'NotRegistered';
    return json(200, {
      id: `/subscriptions/${path.subscriptionId}/providers/${path.provider}`,
      namespace: path.provider,
      registrationState: state,
      resourceTypes: [],
    });
  }
  // GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{l}/operations/{id}
  if (
    path.types[0]?.toLowerCase() === 'locations' &&
    path.types[1]?.toLowerCase() === 'operations' &&
    path.names[1]
  ) {
    return serveOperation(world, req, path.names[1], options.retryAfterSeconds());
  }
  return armError(404, 'InvalidResourceType', `No route for ${req.url.pathname}.`);
}

function requireParents(world: World, path: ArmPath): void {
  for (let depth = 1; depth < path.names.length; depth++) {
    const parentId = resourceIdOf(path, depth);
    if (!world.resource(parentId)) {
      throw new ArmFailure(
        404,
        'ParentResourceNotFound',
        `Can not perform requested operation on nested resource. Parent resource '${path.names.slice(0, depth).join('/')}' not found.`,
      );
    }
  }
}

function serveResource(
  world: World,
  req: SimRequest,
  path: ArmPath,
  kind: ResourceKind,
  options: ArmOptions,
): SimResponse {
  const id = resourceIdOf(path);
  const existing = world.resource(id);
  const render = (r: ArmResource) => renderResource(r, kind, world, req);

  switch (req.method) {
    case 'GET':
      if (!existing) throw notFound(kind.type, path.names.join('/'), path.resourceGroup!);
      return json(200, render(existing));

    case 'PUT': {
      if (kind.readOnly || !kind.put)
        throw new ArmFailure(
          405,
          'MethodNotAllowed',
          `${kind.type} is read-only in this simulator (seed it from a scenario).`,
        );
      requireParents(world, path);
      if (existing?.deletingAtSimMs !== undefined)
        throw new ArmFailure(409, 'Conflict', `${kind.type} '${existing.name}' is being deleted.`);
      const body = asObject(req.body);
      const ctx: KindContext = { world, req, path, id, body, existing, timing: options.timing };
      const resource = kind.put(ctx);
      const op = startOperation(world, 'put', resource, path);
      world.put(resource);
      world.changed();
      const status = existing ? 200 : (kind.createdStatus ?? 201);
      return json(status, render(resource), lroHeaders(options, op));
    }

    case 'PATCH': {
      if (!existing) throw notFound(kind.type, path.names.join('/'), path.resourceGroup!);
      if (!kind.patch)
        throw new ArmFailure(405, 'MethodNotAllowed', `PATCH is not supported for ${kind.type} here.`);
      const resource = kind.patch({
        world,
        req,
        path,
        id,
        body: asObject(req.body),
        existing,
        timing: options.timing,
      });
      const op = startOperation(world, 'patch', resource, path);
      world.put(resource);
      world.changed();
      return json(200, render(resource), lroHeaders(options, op));
    }

    case 'DELETE': {
      if (kind.readOnly)
        throw new ArmFailure(405, 'MethodNotAllowed', `${kind.type} is read-only in this simulator.`);
      if (!existing) return json(204);
      kind.beforeDelete?.(existing, world);
      if (existing.deletingAtSimMs === undefined)
        existing.deletingAtSimMs = world.now() + (kind.deleteMs ?? 60_000);
      const op: Operation = {
        id: world.nextId('0e7a0000'),
        subscriptionId: path.subscriptionId,
        location: existing.location,
        kind: 'delete',
        resourceId: existing.id,
        startedAtSimMs: world.now(),
        endsAtSimMs: existing.deletingAtSimMs,
      };
      world.state.operations[op.id] = op;
      world.changed();
      const urls = operationUrls(options.origin, op);
      return json(202, undefined, {
        'Azure-AsyncOperation': urls.asyncOperation,
        Location: urls.location,
        'Retry-After': options.retryAfterSeconds(),
      });
    }
    default:
      throw new ArmFailure(405, 'MethodNotAllowed', `${req.method} is not supported.`);
  }
}

function startOperation(
  world: World,
  kind: Operation['kind'],
  resource: ArmResource,
  path: ArmPath,
): Operation | undefined {
  if (resource.readyAtSimMs === undefined || resource.readyAtSimMs <= world.now()) return undefined;
  const fault = takeFault(world.state.faults, ['lroFail'], {
    path: resource.id,
    method: kind === 'patch' ? 'PATCH' : 'PUT',
  });
  if (fault) {
    resource.failure = {
      code: fault.code ?? 'InternalOperationError',
      message:
        fault.message ?? `The operation on ${resource.name} failed (injected fault). Retry the request.`,
    };
  }
  const op: Operation = {
    id: world.nextId('0a5c0000'),
    subscriptionId: path.subscriptionId,
    location: resource.location,
    kind,
    resourceId: resource.id,
    startedAtSimMs: world.now(),
  };
  world.state.operations[op.id] = op;
  return op;
}

function lroHeaders(options: ArmOptions, op: Operation | undefined): Record<string, string> {
  if (!op) return {};
  const urls = operationUrls(options.origin, op);
  return { 'Azure-AsyncOperation': urls.asyncOperation, 'Retry-After': options.retryAfterSeconds() };
}

function list(
  world: World,
  req: SimRequest,
  path: ArmPath,
  kind: ResourceKind,
  options: ArmOptions,
): SimResponse {
  if (req.method !== 'GET')
    throw new ArmFailure(405, 'MethodNotAllowed', `${req.method} on a collection is not supported.`);
  let items: ArmResource[];
  if (path.names.length === 0) {
    const prefix =
      `/subscriptions/${path.subscriptionId}/resourcegroups/${path.resourceGroup}/providers/${path.provider}/${path.types[0]}/`.toLowerCase();
    items = Object.keys(world.state.resources)
      .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'))
      .map((k) => world.resource(k))
      .filter((r): r is ArmResource => r !== undefined);
  } else {
    requireParents(world, { ...path, names: [...path.names, 'x'] });
    items = world.children(resourceIdOf(path), path.types.at(-1)!);
  }
  const skip = Number(query(req, '$skiptoken') ?? 0);
  const page = items.slice(skip, skip + options.pageSize);
  const value = page.map((r) => renderResource(r, kind, world, req));
  let nextLink: string | undefined;
  if (skip + options.pageSize < items.length) {
    const next = new URL(req.url.toString());
    next.searchParams.set('$skiptoken', String(skip + options.pageSize));
    nextLink = `${options.origin}${next.pathname}${next.search}`;
  }
  return json(200, { value, ...(nextLink ? { nextLink } : {}) });
}

function asObject(body: unknown): Record<string, any> {
  if (body === undefined)
    throw new ArmFailure(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: the body is empty.',
    );
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ArmFailure(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: expected a JSON object.',
    );
  }
  return body as Record<string, any>;
}
