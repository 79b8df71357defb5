import type { BatchAccountRef } from './buildRequest';
import type { PoolCutover } from './cutover/cutoverRequest';

/** A Batch pool as the pipeline creates it: every planned value resolved (what the Batch adapter sends). */
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

/** A pool as the rollout creates it: the request's pool with its planned values resolved. */
export interface PoolRollout {
  poolId: string;
  account: BatchAccountRef;
  spec: PoolSpec;
  replaces?: string;
  /** Smoke test and job migration, when the request asks for them (domain/cutover). */
  cutover?: PoolCutover;
}
