import type { SimRequest, SimResponse } from '../http';
import type { BatchAccountState, BatchPoolState } from '../model';
import type { World } from '../world';
import { BatchFailure } from './batchErrors';
import { poolsToRead } from './poolCreation';
import { poolNodes, type SimNode } from './nodes';
import { eqFilter, maxResults, page, selectProperties } from './odataQuery';
import { NODE_PROPERTIES } from './selectable';

const ODATA = 'application/json;odata=minimalmetadata';

/*
 * Compute node reads of the Batch data plane (BatchService.json, Microsoft.Batch data plane
 * 2024-07-01.20.0 and later):
 * - GET /pools/{poolId}/nodes — ComputeNode_List: $filter (state), $select, maxresults 1-1000
 *   (default 1000), odata.nextLink;
 * - GET /nodecounts — Account_ListPoolNodeCounts: node counts per state for each pool, $filter
 *   (poolId), maxresults 1-10 (default 10), odata.nextLink.
 */

export function listNodes(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  pool: BatchPoolState,
  base: string,
): SimResponse {
  if (req.method !== 'GET')
    throw new BatchFailure(405, 'UnsupportedHttpVerb', `${req.method} is not supported on nodes.`);
  const states = eqFilter(req.url, 'state');
  const size = maxResults(req.url, 1000, 1000);
  const nodes = poolNodes(account, pool, world.state.faults, world.now())
    .filter((n) => !states || states.has(n.state))
    .map((n) => renderNode(n, pool, base));
  const { value, nextLink } = page(req.url, nodes, size);
  return odata({
    'odata.metadata': `${base}/$metadata#nodes`,
    value: selectProperties(req.url, value, NODE_PROPERTIES),
    ...(nextLink ? { 'odata.nextLink': nextLink } : {}),
  });
}

export function listNodeCounts(world: World, req: SimRequest, account: BatchAccountState, base: string) {
  if (req.method !== 'GET')
    throw new BatchFailure(405, 'UnsupportedHttpVerb', `${req.method} is not supported on nodecounts.`);
  const ids = eqFilter(req.url, 'poolId');
  const size = maxResults(req.url, 10, 10);
  const counts = poolsToRead(world, account)
    .filter((p) => !ids || ids.has(p.id.toLowerCase()))
    .map((p) => poolCounts(p, poolNodes(account, p, world.state.faults, world.now())));
  const { value, nextLink } = page(req.url, counts, size);
  return odata({
    'odata.metadata': `${base}/$metadata#poolnodecounts`,
    value,
    ...(nextLink ? { 'odata.nextLink': nextLink } : {}),
  });
}

/** The NodeCounts fields of the @azure/batch 10.x (2022-10-01.16.0) model, in Batch's casing. */
const COUNTED: Record<string, string> = {
  creating: 'creating',
  idle: 'idle',
  offline: 'offline',
  preempted: 'preempted',
  rebooting: 'rebooting',
  reimaging: 'reimaging',
  running: 'running',
  starting: 'starting',
  starttaskfailed: 'startTaskFailed',
  leavingpool: 'leavingPool',
  unknown: 'unknown',
  unusable: 'unusable',
  waitingforstarttask: 'waitingForStartTask',
};

function poolCounts(pool: BatchPoolState, nodes: SimNode[]) {
  const tally = (dedicated: boolean) => {
    const counts: Record<string, number> = Object.fromEntries(Object.values(COUNTED).map((k) => [k, 0]));
    const mine = nodes.filter((n) => n.isDedicated === dedicated);
    for (const n of mine) counts[COUNTED[n.state]!]! += 1;
    return { ...counts, total: mine.length };
  };
  return { poolId: pool.id, dedicated: tally(true), lowPriority: tally(false) };
}

function renderNode(node: SimNode, pool: BatchPoolState, base: string): Record<string, unknown> {
  const vmSize = String(pool.spec.vmSize).toLowerCase();
  return {
    id: node.id,
    url: `${base}/pools/${pool.id}/nodes/${node.id}`,
    state: node.state,
    schedulingState: 'enabled',
    stateTransitionTime: node.stateTransitionTime,
    allocationTime: node.allocationTime,
    affinityId: `TVM:${node.id}`,
    vmSize,
    totalTasksRun: 0,
    totalTasksSucceeded: 0,
    runningTasksCount: 0,
    runningTaskSlotsCount: 0,
    isDedicated: node.isDedicated,
    ...(pool.spec.startTask ? { startTask: pool.spec.startTask } : {}),
    ...(node.startTaskInfo ? { startTaskInfo: node.startTaskInfo } : {}),
    ...(node.errors ? { errors: node.errors } : {}),
  };
}

function odata(body: unknown): SimResponse {
  return { status: 200, headers: { 'Content-Type': ODATA }, text: JSON.stringify(body) };
}
