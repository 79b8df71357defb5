import type { SupportedImage } from '../domain/planning/nodeAgentSku';
import type { BatchAccountRef } from '../domain/buildRequest';
import type { PoolSpec } from '../domain/batchPool';
import type { AccountCoreQuotas } from '../domain/cutover/capacity';
import type { BatchNodesPort } from './batchNodes';

// The shapes live in the domain (the planning core makes them); re-exported for the adapters' imports.
export type { BatchAccountRef, PoolSpec };
export type { BatchNodesPort, NodeErrorReport, NodeStateCounts, PoolNodeCounts } from './batchNodes';

export type CreatePoolOutcome = 'created' | 'exists' | 'replacing';

export interface PoolStatus {
  poolId: string;
  state: 'active' | 'deleting';
  allocationState: 'steady' | 'resizing' | 'stopping';
  currentDedicatedNodes: number;
  currentLowPriorityNodes: number;
  targetDedicatedNodes: number;
  targetLowPriorityNodes: number;
  imageVersionId?: string;
  vmSize?: string;
  resizeErrors: { code: string; message: string }[];
  /** Autoscale pools: the formula's last evaluation (Batch's autoScaleRun); absent until the first. */
  autoScale?: { lastRunAt?: string; error?: { code: string; message: string } };
  /**
   * Whether the pool autoscales (Batch's enableAutoScale) without its last run: what a pool list cut
   * to a few fields asks for. Set by the adapter; fakes may leave it out (a fixed-size pool).
   */
  autoScaleEnabled?: boolean;
  /** The pool's metadata entries (name/value), e.g. the `bif-shrink` marker of a shrink-old-first cutover. */
  metadata?: { name: string; value: string }[];
}

/** The pool fields a pool list can be cut to. */
export type PoolListField = Exclude<keyof PoolStatus, 'poolId'>;

/**
 * A pool of a list cut to `F` (Batch's `$select`): the id and those fields only, so code that reads a
 * field it did not ask for fails to compile instead of reading a default Batch never sent.
 */
export type PoolListing<F extends PoolListField> = Pick<PoolStatus, 'poolId' | F>;

/** A pool's metadata list with the ARM etag it was read at. */
export interface PoolMetadataRead {
  metadata: { name: string; value: string }[];
  etag: string;
}

/**
 * Azure Batch pools: created, resized and deleted through the management plane (ARM,
 * Microsoft.Batch/batchAccounts/pools: pool identities, securityProfile, resource tags, ARM RBAC);
 * read (allocation state, nodes) and supported images through the data plane, with Entra ID auth.
 */
export interface BatchPoolsPort extends BatchNodesPort {
  listSupportedImages(account: BatchAccountRef): Promise<SupportedImage[]>;
  /**
   * 'exists' when a pool with that id, image and size is already there; 'replacing' when an earlier run
   * of the same request made a pool with that id that cannot serve this run (another image or size, or
   * failed allocation): its delete has started, create again once it is gone. Another request's pool is
   * a permanent conflict.
   */
  createPool(account: BatchAccountRef, spec: PoolSpec): Promise<CreatePoolOutcome>;
  getPool(account: BatchAccountRef, poolId: string): Promise<PoolStatus | undefined>;
  /**
   * The pool's metadata and ARM etag as the management plane holds them (ARM Pool_Get): read before a
   * read-modify-write of the list, whose PATCH then carries the etag as `ifMatch`. Undefined when gone.
   */
  getPoolMetadata(account: BatchAccountRef, poolId: string): Promise<PoolMetadataRead | undefined>;
  /**
   * Every pool of the account (retention checks which image versions are still in use, preflight how
   * many cores they hold), whole unless `fields` cut it; an account holds hundreds of pools.
   */
  listPools<F extends PoolListField = PoolListField>(
    account: BatchAccountRef,
    /** Only these (Batch's `$select`): each pool then carries its id and these fields alone. */
    fields?: readonly F[],
  ): Promise<PoolListing<F>[]>;
  resizePool(
    account: BatchAccountRef,
    poolId: string,
    target: {
      dedicated: number;
      lowPriority: number;
      resizeTimeout?: string;
      deallocation?: 'requeue' | 'terminate' | 'taskcompletion' | 'retaineddata';
      /**
       * The pool's whole metadata list, written in the same PATCH as the resize (ARM replaces the list
       * when the body carries one): the resize and the marker that explains it land together or not at all.
       */
      metadata?: { name: string; value: string }[];
      /**
       * The etag of the read the metadata was built from (ARM Pool_Update If-Match): a pool changed since
       * fails with TransientError 'PoolChanged' (412) instead of being overwritten.
       */
      ifMatch?: string;
    },
  ): Promise<void>;
  /**
   * Pool Stop Resize: a resizing pool goes `stopping`, then `steady` with the nodes it has then (Batch
   * does not undo the resize); a pool that is not resizing is left as it is.
   */
  stopPoolResize(account: BatchAccountRef, poolId: string): Promise<void>;
  /**
   * The account's core quotas (Microsoft.Batch/batchAccounts GET through the management plane);
   * undefined when the account does not report them (UserSubscription pool allocation mode).
   */
  getCoreQuotas(account: BatchAccountRef): Promise<AccountCoreQuotas | undefined>;
  /**
   * Gives an existing pool (kept under its own id) the spec's image and node agent SKU through the
   * management plane; Batch allows it only while the pool has no nodes.
   */
  updatePoolImage(account: BatchAccountRef, poolId: string, spec: PoolSpec): Promise<void>;
  /**
   * Replaces the pool's whole metadata list (ARM Pool Update with `metadata`): read it first to keep the
   * entries that are not yours.
   */
  setPoolMetadata(
    account: BatchAccountRef,
    poolId: string,
    metadata: { name: string; value: string }[],
  ): Promise<void>;
  /** A missing pool is already deleted. */
  deletePool(account: BatchAccountRef, poolId: string): Promise<void>;
}
