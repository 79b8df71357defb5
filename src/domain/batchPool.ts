import type { CutoverPlan } from './cutover/capacity';
import type { BatchAccountRef } from './buildRequest';
import type { HealthPolicy } from './cutover/healthGate';
import type { PoolChecks } from './cutover/poolChecks';

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
  /** How it takes over from `replaces` when not plain blue/green (src/domain/cutover/capacity.ts). */
  cutover?: CutoverPlan;
  /** The health gate it must pass to be ready (absent in inputs planned before the gate: defaults). */
  health?: HealthPolicy;
  /** Smoke test and job migration, when the request asks for them (domain/cutover/poolChecks.ts). */
  checks?: PoolChecks;
}
