import type { Services } from './services';
import type { BatchAccountRef, NodeErrorReport, PoolNodeCounts } from '../ports';
import { BAD_NODE_STATES } from '../domain/cutover/healthGate';

/** How many failing nodes a Pool.Failed event reports: enough to see the pattern, small on the wire. */
export const NODE_ERRORS_REPORTED = 5;

/** Node counts per state of pools of one account: the health gate's one read per account per poll. */
export const countPoolNodes = (
  s: Services,
  input: { account: BatchAccountRef; poolIds: string[] },
): Promise<PoolNodeCounts[]> => s.batch.countNodes(input.account, input.poolIds);

/** The first nodes of a pool in a bad state and what Batch reports about them (a failing pool only). */
export const readNodeErrors = (
  s: Services,
  input: { account: BatchAccountRef; poolId: string },
): Promise<NodeErrorReport[]> =>
  s.batch.firstNodeErrors(input.account, input.poolId, BAD_NODE_STATES, NODE_ERRORS_REPORTED);
