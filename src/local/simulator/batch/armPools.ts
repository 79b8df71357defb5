import { json, query, type SimRequest, type SimResponse } from '../http';
import type { BatchAccountState, BatchPoolState, Operation } from '../model';
import type { World } from '../world';
import { TIMING } from '../timing';
import { ArmFailure } from '../arm/armErrors';
import type { ArmPath } from '../arm/armPath';
import { BatchFailure } from './batchErrors';
import { createPoolState, etag, livePools, poolsToRead } from './poolCreation';
import { armToDataPlane, renderArmPool } from './armPoolView';
import { patchArmPool, checkIdentity, checkMetadata, checkScaleSettings } from './armPoolRules';
import { stopPoolResize } from './poolResize';
import { renderArmAccount } from './coreQuotas';
import { checkImageUpdate } from './poolImageUpdate';

export interface ArmPoolOptions {
  origin: string;
  retryAfterSeconds: () => string;
}

/**
 * Microsoft.Batch/batchAccounts/{account}/pools as the Batch resource provider serves them
 * (BatchManagement.json, Pool_Create/Get/Update/Delete/ListByBatchAccount/StopResize): PUT creates or
 * updates (If-Match / If-None-Match), PATCH updates what it carries, DELETE is long-running (202 with
 * Location on poolOperationResults). Pools live in the same model as the data plane's.
 */
export function serveArmPools(
  world: World,
  req: SimRequest,
  path: ArmPath,
  options: ArmPoolOptions,
): SimResponse {
  const [accountName, poolName] = path.names;
  const account = findAccount(world, path, accountName ?? '');
  const kind = path.types.slice(1).map((t) => t.toLowerCase());
  try {
    if (kind.length === 0) return serveArmAccount(req, account);
    if (kind[0] === 'pooloperationresults' && poolName && req.method === 'GET')
      return operationResult(world, poolName, options);
    if (kind[0] !== 'pools')
      throw new ArmFailure(
        400,
        'InvalidResourceType',
        `The resource type '${path.types.join('/')}' is not served.`,
      );
    if (!poolName) {
      if (req.method !== 'GET') throw new ArmFailure(405, 'MethodNotAllowed', `${req.method} on pools.`);
      return json(200, {
        value: livePools(world, account).map((p) => renderArmPool(p, account.id, world.now())),
      });
    }
    if (kind[1] !== undefined) return poolAction(world, req, account, poolName, kind[1]);
    return servePool(world, req, account, poolName, options);
  } catch (error) {
    if (error instanceof BatchFailure) return toArmError(error);
    throw error;
  }
}

/** The account itself: GET only (its core quotas are what the factory reads). */
function serveArmAccount(req: SimRequest, account: BatchAccountState): SimResponse {
  if (req.method !== 'GET')
    throw new ArmFailure(405, 'MethodNotAllowed', `${req.method} on a Batch account.`);
  return json(200, renderArmAccount(account));
}

function findAccount(world: World, path: ArmPath, name: string): BatchAccountState {
  const account = world.state.batchAccounts[name.toLowerCase()];
  const expected = `/subscriptions/${path.subscriptionId}/resourcegroups/${path.resourceGroup}/providers/microsoft.batch/batchaccounts/${name}`;
  if (!account || account.id.toLowerCase() !== expected.toLowerCase())
    throw new ArmFailure(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${name}' not found.`,
    );
  return account;
}

/**
 * Batch's own errors through ARM keep their code; the property and reason the data plane puts in
 * `values` come as ARM `details` ({code: PropertyName|Reason, message}), and the property as `target`.
 */
function toArmError(error: BatchFailure): SimResponse {
  const property = error.values.find((v) => v.key === 'PropertyName')?.value;
  return json(error.status, {
    error: {
      code: error.code,
      message: error.message,
      ...(property ? { target: property } : {}),
      ...(error.values.length
        ? { details: error.values.map((v) => ({ code: v.key, message: v.value })) }
        : {}),
    },
  });
}

function poolOf(world: World, account: BatchAccountState, name: string): BatchPoolState | undefined {
  poolsToRead(world, account);
  return account.pools[name.toLowerCase()];
}

function notFound(name: string): ArmFailure {
  return new ArmFailure(404, 'PoolNotFound', `The specified pool '${name}' does not exist.`);
}

function answer(world: World, account: BatchAccountState, pool: BatchPoolState): SimResponse {
  return json(200, renderArmPool(pool, account.id, world.now()), { ETag: `W/"${pool.eTag}"` });
}

/** If-Match (a pool's etag, or * for "must exist") and If-None-Match: * ("must not exist"). */
function checkConditions(req: SimRequest, pool: BatchPoolState | undefined): void {
  const ifMatch = req.headers['if-match'] as string | undefined;
  const ifNoneMatch = req.headers['if-none-match'] as string | undefined;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '').replace(/"/g, '');
  const fail = () =>
    new ArmFailure(
      412,
      'ConditionNotMet',
      'The condition specified using HTTP conditional header(s) is not met.',
    );
  if (ifNoneMatch?.trim() === '*' && pool) throw fail();
  if (ifMatch && (!pool || (ifMatch.trim() !== '*' && bare(ifMatch) !== pool.eTag))) throw fail();
}

function servePool(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  name: string,
  options: ArmPoolOptions,
): SimResponse {
  const pool = poolOf(world, account, name);
  switch (req.method) {
    case 'GET':
      if (!pool) throw notFound(name);
      return answer(world, account, pool);
    case 'PUT':
      checkConditions(req, pool);
      return answer(
        world,
        account,
        pool ? updatePool(world, account, pool, req) : createPool(world, account, name, req),
      );
    case 'PATCH':
      if (!pool) throw notFound(name);
      checkConditions(req, pool);
      return answer(world, account, updatePool(world, account, pool, req));
    case 'DELETE':
      if (!pool) return json(204);
      return deletePool(world, account, pool, options);
    default:
      throw new ArmFailure(405, 'MethodNotAllowed', `${req.method} is not supported on a pool.`);
  }
}

function bodyOf(req: SimRequest): { properties: Record<string, any>; identity?: Record<string, any> } {
  const body = req.body as Record<string, any> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ArmFailure(
      400,
      'InvalidRequestContent',
      'The request content was invalid: expected a JSON object.',
    );
  return { properties: (body.properties ?? {}) as Record<string, any>, identity: body.identity };
}

function createPool(world: World, account: BatchAccountState, name: string, req: SimRequest): BatchPoolState {
  const { properties, identity } = bodyOf(req);
  if (!properties.deploymentConfiguration?.virtualMachineConfiguration)
    throw new ArmFailure(
      400,
      'MissingRequiredProperty',
      'A pool needs properties.deploymentConfiguration.virtualMachineConfiguration (cloudServiceConfiguration is retired).',
      'properties.deploymentConfiguration',
    );
  checkScaleSettings(properties);
  checkIdentity(identity);
  checkMetadata(properties);
  const pool = createPoolState(world, account, armToDataPlane(name, properties));
  pool.arm = { properties: structuredClone(properties), ...(identity ? { identity } : {}) };
  return pool;
}

function updatePool(
  world: World,
  account: BatchAccountState,
  pool: BatchPoolState,
  req: SimRequest,
): BatchPoolState {
  if (pool.deletingAtSimMs !== undefined)
    throw new ArmFailure(409, 'PoolBeingDeleted', 'The specified pool has been marked for deletion.');
  const { properties, identity } = bodyOf(req);
  checkImageUpdate(world, account, pool, properties, query(req, 'api-version') ?? '');
  patchArmPool(world, account, pool, properties, identity);
  pool.eTag = etag(world);
  world.changed();
  return pool;
}

function deletePool(
  world: World,
  account: BatchAccountState,
  pool: BatchPoolState,
  options: ArmPoolOptions,
): SimResponse {
  if (pool.deletingAtSimMs === undefined) pool.deletingAtSimMs = world.now() + TIMING.poolDeleteMs;
  const op: Operation = {
    id: `delete-${pool.id}-${pool.eTag.slice(2)}`,
    subscriptionId: account.subscriptionId,
    location: account.region,
    kind: 'delete',
    resourceId: `${account.id}/pools/${pool.id}`,
    startedAtSimMs: world.now(),
    endsAtSimMs: pool.deletingAtSimMs,
  };
  world.state.operations[op.id] = op;
  world.changed();
  return json(202, undefined, {
    Location: `${options.origin}${account.id}/poolOperationResults/${op.id}?api-version=2023-11-01`,
    'Retry-After': options.retryAfterSeconds(),
  });
}

/** The Location of a pool delete: 202 while it runs, 200 once the pool is gone. */
function operationResult(world: World, id: string, options: ArmPoolOptions): SimResponse {
  const op = world.state.operations[id];
  if (!op) throw new ArmFailure(404, 'OperationNotFound', `Operation ${id} was not found.`);
  if (world.now() < (op.endsAtSimMs ?? 0))
    return json(202, undefined, { 'Retry-After': options.retryAfterSeconds() });
  return json(200);
}

function poolAction(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  name: string,
  action: string,
): SimResponse {
  const pool = poolOf(world, account, name);
  if (!pool) throw notFound(name);
  if (req.method !== 'POST') throw new ArmFailure(405, 'MethodNotAllowed', `${req.method} on ${action}.`);
  if (action === 'stopresize') stopPoolResize(world, pool);
  else if (action === 'disableautoscale') {
    // Batch keeps the current node counts as the fixed targets.
    delete pool.autoScale;
    if (pool.arm)
      pool.arm.properties.scaleSettings = {
        fixedScale: {
          targetDedicatedNodes: pool.resize.toDedicated,
          targetLowPriorityNodes: pool.resize.toLowPriority,
        },
      };
  } else throw new ArmFailure(404, 'InvalidResourceType', `No pool action '${action}'.`);
  pool.eTag = etag(world);
  world.changed();
  return answer(world, account, pool);
}
