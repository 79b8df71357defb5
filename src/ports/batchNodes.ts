import type { BatchAccountRef } from '../domain/buildRequest';

/**
 * Node counts per state, keyed by Batch's node state names as the node list reports them (`idle`,
 * `running`, `starting`, `waitingforstarttask`, `starttaskfailed`, `unusable`, `unknown`, `offline`…);
 * dedicated and Spot/low-priority nodes together. States with no node may be absent.
 */
export type NodeStateCounts = Record<string, number>;

export interface PoolNodeCounts {
  poolId: string;
  counts: NodeStateCounts;
  total: number;
}

/** What Batch reports about a node that is not usable: its errors, or its start task's failure. */
export interface NodeErrorReport {
  nodeId: string;
  state: string;
  code: string;
  message: string;
  details?: { name: string; value: string }[];
}

/** The health reads of Batch pools, through the data plane. */
export interface BatchNodesPort {
  /**
   * Node counts per state of these pools of one account (Batch's "list pool node counts": one request
   * for one pool, a page per 10 pools of the account otherwise). A pool that does not exist is absent.
   */
  countNodes(account: BatchAccountRef, poolIds: string[]): Promise<PoolNodeCounts[]>;
  /** The first `max` nodes of a pool in one of `states`, with what Batch reports about them. */
  firstNodeErrors(
    account: BatchAccountRef,
    poolId: string,
    states: readonly string[],
    max: number,
  ): Promise<NodeErrorReport[]>;
}
