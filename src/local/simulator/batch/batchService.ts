import { json, type SimRequest, type SimResponse } from '../http';
import type { BatchAccountState, BatchPoolState } from '../model';
import type { World } from '../world';
import { takeFault } from '../faults';
import { TIMING, allocationMs } from '../timing';
import { parseDurationMs } from '../../../domain/duration';
import { osOfNodeAgentSku } from '../../../domain/planning/nodeAgentSku';
import { regionStatus } from '../arm/galleryKinds';
import { normalizeLocation } from '../arm/kinds';
import { BatchFailure, batchError, invalidProperty, poolNotFound } from './batchErrors';
import { snapshotPool } from './allocation';

const POOL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_RESIZE_TIMEOUT_MS = 15 * 60_000;
const MIN_RESIZE_TIMEOUT_MS = 5 * 60_000;
const ODATA = 'application/json;odata=minimalmetadata';

interface BatchOptions {
  origin: string;
}

/** The Batch data plane of one account: base URL {origin}/batch/{account}. */
export function serveBatch(
  world: World,
  req: SimRequest,
  accountName: string,
  rest: string[],
  options: BatchOptions,
): SimResponse {
  const account = world.state.batchAccounts[accountName.toLowerCase()];
  const requestId = world.nextId('b0000000');
  const base = `${options.origin}/batch/${accountName}`;
  try {
    if (!account)
      throw new BatchFailure(404, 'AccountNotFound', `The Batch account '${accountName}' does not exist.`);
    checkAuth(req, account);
    const response = route(world, req, account, rest, base);
    return {
      ...response,
      headers: { 'request-id': requestId, DataServiceVersion: '3.0', ...(response.headers ?? {}) },
    };
  } catch (error) {
    if (error instanceof BatchFailure)
      return batchError(base, error, requestId, new Date(world.now()).toISOString());
    throw error;
  }
}

function route(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  rest: string[],
  base: string,
): SimResponse {
  const [first, id, action] = rest;
  if (first === 'supportedimages' && req.method === 'GET') {
    return odata(200, {
      'odata.metadata': `${base}/$metadata#supportedimages`,
      value: account.supportedImages,
    });
  }
  if (first !== 'pools')
    throw new BatchFailure(
      404,
      'InvalidUri',
      `The requested URI does not represent any resource on the server.`,
    );
  if (!id) {
    if (req.method === 'POST') return addPool(world, req, account, base);
    if (req.method === 'GET')
      return odata(200, {
        'odata.metadata': `${base}/$metadata#pools`,
        value: livePools(world, account).map((p) => renderPool(world, p, base)),
      });
    throw new BatchFailure(405, 'UnsupportedHttpVerb', `${req.method} is not supported on pools.`);
  }
  const pool = findPool(world, account, id);
  if (action === 'resize' && req.method === 'POST') return resizePool(world, req, account, pool);
  if (action === 'stopresize' && req.method === 'POST') return stopResize(world, pool);
  if (action)
    throw new BatchFailure(
      404,
      'InvalidUri',
      `The requested URI does not represent any resource on the server.`,
    );
  switch (req.method) {
    case 'GET':
      return odata(200, renderPool(world, pool, base), { ETag: pool.eTag });
    case 'HEAD':
      return json(200);
    case 'PATCH': {
      const body = (req.body ?? {}) as Record<string, unknown>;
      for (const key of ['startTask', 'metadata', 'targetNodeCommunicationMode'])
        if (key in body) pool.spec[key] = body[key];
      pool.eTag = etag(world);
      world.changed();
      return json(200, undefined, { ETag: pool.eTag, DataServiceId: `${base}/pools/${pool.id}` });
    }
    case 'DELETE':
      if (pool.deletingAtSimMs === undefined) pool.deletingAtSimMs = world.now() + TIMING.poolDeleteMs;
      world.changed();
      return json(202);
    default:
      throw new BatchFailure(405, 'UnsupportedHttpVerb', `${req.method} is not supported on a pool.`);
  }
}

/** Gallery-image pools need Entra ID: Batch refuses shared-key auth once Compute resources are linked. */
function checkAuth(req: SimRequest, account: BatchAccountState): void {
  const auth = String(req.headers.authorization ?? '');
  const isSharedKey = /^SharedKey /i.test(auth);
  const body = req.body as Record<string, any> | undefined;
  const addsGalleryPool = Boolean(body?.virtualMachineConfiguration?.imageReference?.virtualMachineImageId);
  const hasGalleryPools = Object.values(account.pools).some(
    (p) => (p.spec.virtualMachineConfiguration as any)?.imageReference?.virtualMachineImageId,
  );
  if (isSharedKey && (addsGalleryPool || hasGalleryPools)) {
    throw new BatchFailure(
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nAuthenticationErrorDetail: The specified type of authentication SharedKey is not allowed when external resources of type Compute are linked.',
    );
  }
  if (!auth)
    throw new BatchFailure(
      401,
      'AuthenticationFailed',
      'Server failed to authenticate the request: no Authorization header.',
    );
}

function livePools(world: World, account: BatchAccountState): BatchPoolState[] {
  const now = world.now();
  for (const [key, pool] of Object.entries(account.pools)) {
    if (pool.deletingAtSimMs !== undefined && now >= pool.deletingAtSimMs) delete account.pools[key];
  }
  return Object.values(account.pools);
}

function findPool(world: World, account: BatchAccountState, id: string): BatchPoolState {
  livePools(world, account);
  const pool = account.pools[id.toLowerCase()];
  if (!pool) throw poolNotFound();
  return pool;
}

function addPool(world: World, req: SimRequest, account: BatchAccountState, base: string): SimResponse {
  const body = req.body as Record<string, any> | undefined;
  if (!body || typeof body !== 'object')
    throw new BatchFailure(
      400,
      'InvalidRequestBody',
      'The specified Request Body is not syntactically valid.',
    );
  for (const field of ['id', 'vmSize']) {
    if (!body[field])
      throw new BatchFailure(
        400,
        'MissingRequiredProperty',
        `A required property was not specified in the request body: ${field}.`,
        [{ key: 'PropertyName', value: field }],
      );
  }
  if (!POOL_ID.test(body.id))
    throw invalidProperty(
      'id',
      'A pool id can contain any combination of alphanumeric characters including hyphens and underscores, and cannot contain more than 64 characters.',
    );
  livePools(world, account);
  if (account.pools[String(body.id).toLowerCase()])
    throw new BatchFailure(409, 'PoolExists', 'The specified pool already exists.');
  const vmc = body.virtualMachineConfiguration as Record<string, any> | undefined;
  if (!vmc?.imageReference || !vmc.nodeAgentSKUId) {
    throw new BatchFailure(
      400,
      'MissingRequiredProperty',
      'A required property was not specified in the request body: virtualMachineConfiguration.',
      [{ key: 'PropertyName', value: vmc?.imageReference ? 'nodeAgentSKUId' : 'imageReference' }],
    );
  }
  const replicas = checkImage(world, account, vmc);
  const timeoutMs = body.resizeTimeout
    ? parseDurationMs(String(body.resizeTimeout))
    : DEFAULT_RESIZE_TIMEOUT_MS;
  if (timeoutMs === undefined || timeoutMs < MIN_RESIZE_TIMEOUT_MS)
    throw invalidProperty('resizeTimeout', 'The resize timeout must be at least 5 minutes.');
  const toDedicated = Number(body.targetDedicatedNodes ?? 0);
  const toLowPriority = Number(body.targetLowPriorityNodes ?? 0);
  const now = world.now();
  const pool: BatchPoolState = {
    id: body.id,
    spec: { ...body, resizeTimeout: body.resizeTimeout ?? 'PT15M' },
    createdAtSimMs: now,
    eTag: etag(world),
    resize: {
      startedAtSimMs: now,
      fromDedicated: 0,
      fromLowPriority: 0,
      toDedicated,
      toLowPriority,
      durationMs: allocationMs(toDedicated + toLowPriority, replicas),
      timeoutMs,
      error: allocationError(world, account, body.id, toDedicated, toLowPriority),
    },
  };
  account.pools[pool.id.toLowerCase()] = pool;
  world.changed();
  return json(201, undefined, {
    ETag: pool.eTag,
    'Last-Modified': new Date(now).toUTCString(),
    DataServiceId: `${base}/pools/${pool.id}`,
    Location: `${base}/pools/${pool.id}`,
  });
}

/** The Batch rules for gallery images; answers the replica count in the account's region. */
function checkImage(world: World, account: BatchAccountState, vmc: Record<string, any>): number {
  const sku = String(vmc.nodeAgentSKUId);
  const supported = account.supportedImages.some((s) => s.nodeAgentSKUId.toLowerCase() === sku.toLowerCase());
  if (!supported)
    throw invalidProperty(
      'nodeAgentSKUId',
      `The specified nodeAgentSKUId '${sku}' is not supported by this account.`,
    );
  const imageId = vmc.imageReference.virtualMachineImageId as string | undefined;
  if (!imageId) return 1; // marketplace image: replicas do not apply
  const version = world.resource(imageId);
  if (!version || version.type !== 'microsoft.compute/galleries/images/versions') {
    throw invalidProperty(
      'virtualMachineImageId',
      `The specified image ${imageId} does not exist or Batch cannot access it.`,
    );
  }
  const versionSubscription = imageId.split('/')[2]!.toLowerCase();
  if (versionSubscription !== account.subscriptionId.toLowerCase()) {
    const sub = world.state.subscriptions[versionSubscription];
    const accountSub = world.state.subscriptions[account.subscriptionId.toLowerCase()];
    if (!sub || sub.providers['microsoft.batch'] !== 'Registered') {
      throw new BatchFailure(
        403,
        'InsufficientPermissions',
        `The Microsoft.Batch resource provider is not registered in subscription ${versionSubscription}, which holds the image.`,
      );
    }
    if (accountSub && sub.tenantId !== accountSub.tenantId) {
      throw new BatchFailure(
        403,
        'InsufficientPermissions',
        'The image is in a subscription of another Microsoft Entra tenant than the Batch account.',
      );
    }
  }
  const definition = world.resource(imageId.split('/').slice(0, -2).join('/'));
  if (definition?.properties.osState === 'Specialized') {
    throw invalidProperty(
      'virtualMachineImageId',
      'Batch pools support generalized images only; this image is specialized.',
    );
  }
  const imageOs = definition?.properties.osType as string | undefined;
  if (imageOs && osOfNodeAgentSku(sku) !== imageOs) {
    throw invalidProperty(
      'nodeAgentSKUId',
      `The node agent SKU '${sku}' does not match the image's OS type ${imageOs}.`,
    );
  }
  const replication = (version.replication ?? []).find((r) => normalizeLocation(r.region) === account.region);
  if (!replication || regionStatus(replication, world.now()).state !== 'Completed') {
    throw invalidProperty(
      'virtualMachineImageId',
      `The image version has no completed replica in the Batch account's region ${account.region}.`,
    );
  }
  return replication.replicaCount;
}

/** Quota shortfalls and injected allocation failures. */
function allocationError(
  world: World,
  account: BatchAccountState,
  poolId: string,
  dedicated: number,
  lowPriority: number,
): BatchPoolState['resize']['error'] {
  const fault = takeFault(world.state.faults, ['poolAllocationFail'], { poolId, path: account.name });
  if (fault) {
    return {
      code: fault.code ?? 'AllocationFailed',
      message: fault.message ?? 'Desired number of dedicated nodes could not be allocated',
      atFraction: fault.atFraction ?? 0,
    };
  }
  if (dedicated > account.dedicatedQuota) {
    return {
      code: 'AccountCoreQuotaReached',
      message: `The specified account has reached its dedicated core quota (${account.dedicatedQuota}).`,
      atFraction: account.dedicatedQuota / dedicated,
    };
  }
  if (lowPriority > account.lowPriorityQuota) {
    return {
      code: 'AccountLowPriorityCoreQuotaReached',
      message: `The specified account has reached its low-priority core quota (${account.lowPriorityQuota}).`,
      atFraction: account.lowPriorityQuota / lowPriority,
    };
  }
  return undefined;
}

function resizePool(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  pool: BatchPoolState,
): SimResponse {
  const now = world.now();
  const current = snapshotPool(pool, now);
  if (current.allocationState !== 'steady') {
    throw new BatchFailure(
      409,
      'PoolNotSteady',
      'The specified pool is not in a steady allocation state; stop the current resize first.',
    );
  }
  if (pool.deletingAtSimMs !== undefined)
    throw new BatchFailure(409, 'PoolBeingDeleted', 'The specified pool has been marked for deletion.');
  const body = (req.body ?? {}) as Record<string, any>;
  const toDedicated = Number(body.targetDedicatedNodes ?? 0);
  const toLowPriority = Number(body.targetLowPriorityNodes ?? 0);
  const timeoutMs = body.resizeTimeout
    ? parseDurationMs(String(body.resizeTimeout))
    : DEFAULT_RESIZE_TIMEOUT_MS;
  if (timeoutMs === undefined || timeoutMs < MIN_RESIZE_TIMEOUT_MS)
    throw invalidProperty('resizeTimeout', 'The resize timeout must be at least 5 minutes.');
  const growing =
    toDedicated + toLowPriority > current.currentDedicatedNodes + current.currentLowPriorityNodes;
  const imageId = (pool.spec.virtualMachineConfiguration as any)?.imageReference?.virtualMachineImageId as
    string | undefined;
  const replicas = imageId
    ? (world.resource(imageId)?.replication?.find((r) => normalizeLocation(r.region) === account.region)
        ?.replicaCount ?? 1)
    : 1;
  const deallocation = String(body.nodeDeallocationOption ?? 'requeue').toLowerCase();
  pool.resize = {
    startedAtSimMs: now,
    fromDedicated: current.currentDedicatedNodes,
    fromLowPriority: current.currentLowPriorityNodes,
    toDedicated,
    toLowPriority,
    durationMs: growing
      ? allocationMs(
          toDedicated + toLowPriority - current.currentDedicatedNodes - current.currentLowPriorityNodes,
          replicas,
        )
      : deallocation === 'taskcompletion'
        ? TIMING.poolDrainMs
        : TIMING.poolShrinkMs,
    timeoutMs,
    error: growing ? allocationError(world, account, pool.id, toDedicated, toLowPriority) : undefined,
  };
  pool.spec.targetDedicatedNodes = toDedicated;
  pool.spec.targetLowPriorityNodes = toLowPriority;
  pool.spec.resizeTimeout = body.resizeTimeout ?? 'PT15M';
  pool.eTag = etag(world);
  world.changed();
  return json(202, undefined, { ETag: pool.eTag });
}

function stopResize(world: World, pool: BatchPoolState): SimResponse {
  const now = world.now();
  if (snapshotPool(pool, now).allocationState === 'resizing') pool.resize.stoppedAtSimMs = now;
  world.changed();
  return json(202);
}

function renderPool(world: World, pool: BatchPoolState, base: string): Record<string, unknown> {
  const now = world.now();
  const snap = snapshotPool(pool, now);
  const iso = (ms: number) => new Date(ms).toISOString();
  const deleting = pool.deletingAtSimMs !== undefined;
  return {
    id: pool.id,
    url: `${base}/pools/${pool.id}`,
    eTag: pool.eTag,
    lastModified: iso(pool.resize.startedAtSimMs),
    creationTime: iso(pool.createdAtSimMs),
    state: deleting ? 'deleting' : 'active',
    stateTransitionTime: iso(deleting ? pool.deletingAtSimMs! - TIMING.poolDeleteMs : pool.createdAtSimMs),
    allocationState: snap.allocationState,
    allocationStateTransitionTime: iso(
      snap.allocationState === 'steady' ? snap.endsAtSimMs : pool.resize.startedAtSimMs,
    ),
    vmSize: String(pool.spec.vmSize).toLowerCase(),
    virtualMachineConfiguration: pool.spec.virtualMachineConfiguration,
    resizeTimeout: pool.spec.resizeTimeout,
    ...(snap.resizeErrors ? { resizeErrors: snap.resizeErrors } : {}),
    currentDedicatedNodes: snap.currentDedicatedNodes,
    currentLowPriorityNodes: snap.currentLowPriorityNodes,
    targetDedicatedNodes: pool.resize.toDedicated,
    targetLowPriorityNodes: pool.resize.toLowPriority,
    enableAutoScale: false,
    enableInterNodeCommunication: Boolean(pool.spec.enableInterNodeCommunication),
    taskSlotsPerNode: pool.spec.taskSlotsPerNode ?? 1,
    taskSchedulingPolicy: { nodeFillType: 'Spread' },
    ...(pool.spec.startTask ? { startTask: pool.spec.startTask } : {}),
    ...(pool.spec.metadata ? { metadata: pool.spec.metadata } : {}),
  };
}

function etag(world: World): string {
  return `0x8D${world.nextId('e').replace(/-/g, '').slice(-13).toUpperCase()}`;
}

function odata(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'Content-Type': ODATA, ...headers }, text: JSON.stringify(body) };
}
