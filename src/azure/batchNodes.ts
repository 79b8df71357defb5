import type { BatchServiceClient, BatchServiceModels } from '@azure/batch';
import type { NodeErrorReport, NodeStateCounts, PoolNodeCounts } from '../ports/batchNodes';

/*
 * Pool health reads through the Batch data plane (@azure/batch 10.x). Counting is the cheap read:
 * Account_ListPoolNodeCounts answers every state of up to 10 pools in one request. The node list is
 * read only for a failing pool, filtered to the bad states and cut to the few fields and nodes the
 * report needs (ComputeNode_List with $filter, $select, maxresults).
 */

/** Batch's NodeCounts fields → the node state names the node list uses. */
const STATE_OF: Record<string, string> = {
  creating: 'creating',
  idle: 'idle',
  offline: 'offline',
  preempted: 'preempted',
  rebooting: 'rebooting',
  reimaging: 'reimaging',
  running: 'running',
  starting: 'starting',
  startTaskFailed: 'starttaskfailed',
  leavingPool: 'leavingpool',
  unknown: 'unknown',
  unusable: 'unusable',
  waitingForStartTask: 'waitingforstarttask',
};

/** Batch caps a node counts page at 10 pools. */
const COUNTS_PAGE = 10;

export async function countPoolNodes(
  client: BatchServiceClient,
  poolIds: string[],
): Promise<PoolNodeCounts[]> {
  const wanted = new Set(poolIds.map((id) => id.toLowerCase()));
  // One pool: filtered, one request. Several: the account's pages (a filter takes one pool id).
  const filter = poolIds.length === 1 ? `poolId eq '${poolIds[0]!.replace(/'/g, "''")}'` : undefined;
  const out: PoolNodeCounts[] = [];
  let page = await client.account.listPoolNodeCounts({
    accountListPoolNodeCountsOptions: { maxResults: COUNTS_PAGE, ...(filter ? { filter } : {}) },
  });
  for (;;) {
    for (const item of page) if (wanted.has(item.poolId.toLowerCase())) out.push(toCounts(item));
    if (!page.odatanextLink || out.length === wanted.size) return out;
    page = await client.account.listPoolNodeCountsNext(page.odatanextLink);
  }
}

function toCounts(item: BatchServiceModels.PoolNodeCounts): PoolNodeCounts {
  const counts: NodeStateCounts = {};
  let total = 0;
  for (const part of [item.dedicated, item.lowPriority]) {
    if (!part) continue;
    total += part.total ?? 0;
    for (const [field, state] of Object.entries(STATE_OF)) {
      const n = (part as unknown as Record<string, number | undefined>)[field] ?? 0;
      if (n) counts[state] = (counts[state] ?? 0) + n;
    }
  }
  return { poolId: item.poolId, counts, total };
}

export async function firstNodeErrors(
  client: BatchServiceClient,
  poolId: string,
  states: readonly string[],
  max: number,
): Promise<NodeErrorReport[]> {
  const filter = states.map((s) => `state eq '${s}'`).join(' or ');
  const page = await client.computeNode.list(poolId, {
    computeNodeListOptions: { filter, select: 'id,state,errors,startTaskInfo', maxResults: max },
  });
  return page.slice(0, max).flatMap((node) => reportsOf(node).slice(0, 1));
}

/** A node's own errors first; a failed start task's failure when that is all Batch says. */
function reportsOf(node: BatchServiceModels.ComputeNode): NodeErrorReport[] {
  const at = { nodeId: node.id ?? '', state: node.state ?? 'unknown' };
  const errors = (node.errors ?? []).map((e) => ({
    ...at,
    code: e.code ?? 'Unknown',
    message: e.message ?? '',
    ...(e.errorDetails?.length
      ? { details: e.errorDetails.map((d) => ({ name: d.name ?? '', value: d.value ?? '' })) }
      : {}),
  }));
  const failure = node.startTaskInfo?.failureInfo;
  if (failure)
    errors.push({
      ...at,
      code: failure.code ?? 'StartTaskFailed',
      message: `${failure.message ?? 'The start task failed'} (exit code ${node.startTaskInfo?.exitCode ?? '?'})`,
      ...(failure.details?.length
        ? { details: failure.details.map((d) => ({ name: d.name ?? '', value: d.value ?? '' })) }
        : {}),
    });
  return errors.length
    ? errors
    : [{ ...at, code: node.state ?? 'unknown', message: 'Batch reports no error for this node.' }];
}
