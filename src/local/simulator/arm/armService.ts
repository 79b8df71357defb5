import { json, query, type SimRequest, type SimResponse } from '../http';
import type { World } from '../world';
import { ArmFailure, armError } from './armErrors';
import { isCollection, parseArmPath, resourceIdOf, typeKey, type ArmPath } from './armPath';
import { renderResource, type ResourceKind } from './kinds';
import { diskKind, managedImageKind, snapshotKind, virtualMachineKind } from './computeKinds';
import { galleryImageKind, galleryImageVersionKind, galleryKind } from './galleryKinds';
import { serveOperation } from './operations';
import { ArmResourceHandler } from './resourceHandler';
import { requireParents, type ArmOptions } from './armRequest';
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
    // Batch accounts and pools share one model with the data plane: served by the Batch side.
    if (typeKey(path).startsWith('microsoft.batch/batchaccounts') && path.names.length > 0)
      return serveArmPools(world, req, path, options);
    const kind = BY_TYPE.get(typeKey(path));
    if (!kind)
      throw new ArmFailure(
        400,
        'InvalidResourceType',
        `The resource type '${typeKey(path)}' is not served by this simulator.`,
      );
    if (isCollection(path)) return list(world, req, path, kind, options);
    return new ArmResourceHandler(world, req, path, kind, options).serve();
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

function list(
  world: World,
  req: SimRequest,
  path: ArmPath,
  kind: ResourceKind,
  options: ArmOptions,
): SimResponse {
  if (req.method !== 'GET')
    throw new ArmFailure(405, 'MethodNotAllowed', `${req.method} on a collection is not supported.`);
  let items: string[];
  if (path.names.length === 0) {
    items = world.liveKeys(
      `/subscriptions/${path.subscriptionId}/resourcegroups/${path.resourceGroup}/providers/${path.provider}/${path.types[0]}/`.toLowerCase(),
    );
  } else {
    requireParents(world, { ...path, names: [...path.names, 'x'] });
    items = world.childKeys(resourceIdOf(path), path.types.at(-1)!);
  }
  const skip = skipToken(query(req, '$skiptoken'));
  // Only the page is taken out of the world (and rendered): a list of hundreds goes ten at a time.
  const page = items.slice(skip, skip + options.pageSize).map((k) => world.resource(k)!);
  const value = page.map((r) => renderResource(r, kind, world, req));
  let nextLink: string | undefined;
  if (skip + options.pageSize < items.length) {
    const next = new URL(req.url.toString());
    next.searchParams.set('$skiptoken', String(skip + options.pageSize));
    nextLink = `${options.origin}${next.pathname}${next.search}`;
  }
  return json(200, { value, ...(nextLink ? { nextLink } : {}) });
}

/**
 * The offset this simulator puts in its own nextLinks. Anything else is a token it never issued: ARM
 * answers 400 rather than a page (the code, InvalidSkipToken, is assumed: no Compute spec lists one).
 */
function skipToken(token: string | undefined): number {
  if (token === undefined) return 0;
  if (/^\d+$/.test(token) && Number.isSafeInteger(Number(token))) return Number(token);
  throw new ArmFailure(
    400,
    'InvalidSkipToken',
    `The $skiptoken '${token}' is not one this list issued. Follow the nextLink of the previous page.`,
  );
}
