import { json, type SimRequest, type SimResponse } from '../http';
import type { BatchAccountState, BatchPoolState } from '../model';
import type { World } from '../world';
import { TIMING } from '../timing';
import { BatchFailure, batchError, poolNotFound } from './batchErrors';
import type { BatchRoute } from './batchRoute';
import { invalidUri, unsupportedVerb, requireBody } from './batchRefusals';
import { snapshotPool } from './allocation';
import { createPoolState, etag, poolsToRead } from './poolCreation';
import { eqFilter, invalidQuery, maxResults, page, selectProperties } from './odataQuery';
import { POOL_PROPERTIES } from './selectable';
import { applyResize, stopPoolResize } from './poolResize';
import { listNodeCounts, listNodes } from './nodeRoutes';
import { serveJobs } from './jobs';
import { serveJobSchedules } from './jobSchedules';
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

const route: BatchRoute = (world, req, account, rest, base) => {
  const [first, id, action] = rest;
  if (first === 'supportedimages' && req.method === 'GET') {
    return odata(200, {
      'odata.metadata': `${base}/$metadata#supportedimages`,
      value: account.supportedImages,
    });
  }
  if (first === 'nodecounts' && !id) return listNodeCounts(world, req, account, base);
  if (first === 'jobs') return serveJobs(world, req, account, rest, base);
  if (first === 'jobschedules') return serveJobSchedules(world, req, account, rest, base);
  if (first !== 'pools') throw invalidUri();
  if (!id) {
    if (req.method === 'POST') return addPool(world, req, account, base);
    if (req.method === 'GET') return listPools(world, req, account, base);
    throw unsupportedVerb(req.method, 'pools');
  }
  const pool = findPool(world, account, id);
  if (action === 'resize' && req.method === 'POST') return resizePool(world, req, account, pool);
  if (action === 'stopresize' && req.method === 'POST') return stopResize(world, pool);
  if (action === 'nodes' && rest.length === 3) return listNodes(world, req, account, pool, base);
  if (action) throw invalidUri();
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
      throw unsupportedVerb(req.method, 'a pool');
  }
};

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

/**
 * Pool_List: `$filter` on `state` (`eq` clauses joined by `or`; other filters are refused, stricter than
 * Batch, as the product sends none), `$select` (only those properties, names checked), `maxresults`
 * 1-1000 (default 1000) and `odata.nextLink` pages. `$expand` (Batch's `stats`) is not modelled: refused.
 */
function listPools(world: World, req: SimRequest, account: BatchAccountState, base: string): SimResponse {
  const expand = req.url.searchParams.get('$expand');
  if (expand !== null) throw invalidQuery('$expand', expand, 'this simulator does not model $expand');
  const states = eqFilter(req.url, 'state');
  const size = maxResults(req.url, 1000, 1000);
  const pools = poolsToRead(world, account).filter((p) => !states || states.has(poolState(p)));
  // Only the page is rendered; Batch answers only its `$select`ed properties (batch-efficient-list-queries).
  const { value, nextLink } = page(req.url, pools, size);
  const rendered = value.map((p) => renderPool(world, p, base));
  return odata(200, {
    'odata.metadata': `${base}/$metadata#pools`,
    value: selectProperties(req.url, rendered, POOL_PROPERTIES),
    ...(nextLink ? { 'odata.nextLink': nextLink } : {}),
  });
}

function findPool(world: World, account: BatchAccountState, id: string): BatchPoolState {
  poolsToRead(world, account);
  const pool = account.pools[id.toLowerCase()];
  if (!pool) throw poolNotFound();
  return pool;
}

function addPool(world: World, req: SimRequest, account: BatchAccountState, base: string): SimResponse {
  const body = req.body as Record<string, any> | undefined;
  requireBody(body);
  const pool = createPoolState(world, account, body);
  return json(201, undefined, {
    ETag: pool.eTag,
    'Last-Modified': new Date(pool.createdAtSimMs).toUTCString(),
    DataServiceId: `${base}/pools/${pool.id}`,
    Location: `${base}/pools/${pool.id}`,
  });
}

function resizePool(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  pool: BatchPoolState,
): SimResponse {
  applyResize(world, account, pool, (req.body ?? {}) as Record<string, any>);
  return json(202, undefined, { ETag: pool.eTag });
}

function stopResize(world: World, pool: BatchPoolState): SimResponse {
  stopPoolResize(world, pool);
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
    state: poolState(pool),
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
    ...autoScaleView(pool),
    enableInterNodeCommunication: Boolean(pool.spec.enableInterNodeCommunication),
    taskSlotsPerNode: pool.spec.taskSlotsPerNode ?? 1,
    taskSchedulingPolicy: pool.spec.taskSchedulingPolicy ?? { nodeFillType: 'Spread' },
    ...Object.fromEntries(
      PASS_THROUGH.filter((k) => pool.spec[k] !== undefined).map((k) => [k, pool.spec[k]]),
    ),
  };
}

const poolState = (pool: BatchPoolState) => (pool.deletingAtSimMs !== undefined ? 'deleting' : 'active');

/** Pool properties Batch stores and answers as sent (also for pools made through the management plane). */
const PASS_THROUGH = [
  'startTask',
  'metadata',
  'networkConfiguration',
  'mountConfiguration',
  'userAccounts',
  'applicationPackageReferences',
  'targetNodeCommunicationMode',
  'upgradePolicy',
  'resourceTags',
];

/** enableAutoScale and, once evaluated, the formula's last run (Batch's autoScaleRun). */
function autoScaleView(pool: BatchPoolState): Record<string, unknown> {
  const auto = pool.autoScale;
  if (!auto) return { enableAutoScale: false };
  return {
    enableAutoScale: true,
    autoScaleFormula: auto.formula,
    autoScaleEvaluationInterval: auto.evaluationInterval,
    autoScaleRun: {
      timestamp: new Date(auto.lastRunAtSimMs).toISOString(),
      ...(auto.results ? { results: auto.results } : {}),
      ...(auto.error ? { error: auto.error } : {}),
    },
  };
}

function odata(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'Content-Type': ODATA, ...headers }, text: JSON.stringify(body) };
}
