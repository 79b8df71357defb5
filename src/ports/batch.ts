import type { SupportedImage } from '../domain/planning/nodeAgentSku';

export interface BatchAccountRef {
  id: string;
  endpoint: string;
  region: string;
}

export interface PoolSpec {
  poolId: string;
  vmSize: string;
  imageVersionId: string;
  nodeAgentSkuId: string;
  targetDedicatedNodes: number;
  targetLowPriorityNodes: number;
  resizeTimeout: string;
  taskSlotsPerNode: number;
  startTask?: {
    commandLine: string;
    waitForSuccess: boolean;
    maxTaskRetryCount: number;
    environmentSettings: { name: string; value: string }[];
    userIdentity?: { autoUser: { scope: 'task' | 'pool'; elevationLevel: 'nonadmin' | 'admin' } };
  };
  metadata?: { name: string; value: string }[];
  /**
   * Batch management API pool properties (Pool.properties of BatchManagement.json 2023-11-01, plus
   * `identity`) from the request's `template`, checked at planning; what the pipeline owns is laid over it
   * (see domain/poolTemplate/effectivePool).
   */
  template?: Record<string, unknown>;
  /** VirtualMachineConfiguration.securityProfile the image needs (Trusted Launch), from planning. */
  securityProfile?: {
    securityType?: 'trustedLaunch';
    encryptionAtHost?: boolean;
    uefiSettings?: { secureBootEnabled?: boolean; vTpmEnabled?: boolean };
  };
}

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
}

/**
 * Azure Batch pools: created, resized and deleted through the management plane (ARM,
 * Microsoft.Batch/batchAccounts/pools: pool identities, securityProfile, resource tags, ARM RBAC);
 * read (allocation state, nodes) and supported images through the data plane, with Entra ID auth.
 */
export interface BatchPoolsPort {
  listSupportedImages(account: BatchAccountRef): Promise<SupportedImage[]>;
  /** 'exists' when a pool with that id, image and size is already there; a different pool is a permanent conflict. */
  createPool(account: BatchAccountRef, spec: PoolSpec): Promise<'created' | 'exists'>;
  getPool(account: BatchAccountRef, poolId: string): Promise<PoolStatus | undefined>;
  /** Every pool of the account (retention checks which image versions are still in use). */
  listPools(account: BatchAccountRef): Promise<PoolStatus[]>;
  resizePool(
    account: BatchAccountRef,
    poolId: string,
    target: {
      dedicated: number;
      lowPriority: number;
      resizeTimeout?: string;
      deallocation?: 'requeue' | 'terminate' | 'taskcompletion' | 'retaineddata';
    },
  ): Promise<void>;
  /** A missing pool is already deleted. */
  deletePool(account: BatchAccountRef, poolId: string): Promise<void>;
}
