import type { SupportedImage } from '../../domain/planning/nodeAgentSku';
import type { FaultRule } from './faults';
import type { BatchJobScheduleState, BatchJobState, TaskRule } from './batch/jobModel';

export type { BatchJobScheduleState, BatchJobState, TaskRule };

/**
 * The simulated world, JSON-serialisable so it can be saved and reloaded. Status that moves with time
 * (provisioning, replication, allocation) is stored as start instants and durations and derived on
 * read, so the world needs no background ticking and replays the same from a saved file.
 */
export interface WorldState {
  /** Simulated time when the state was saved. */
  savedAtSimMs?: number;
  subscriptions: Record<string, SubscriptionState>;
  /** ARM resources by lower-cased id. */
  resources: Record<string, ArmResource>;
  /** Long-running operations by id. */
  operations: Record<string, Operation>;
  /** Batch accounts by lower-cased account name. */
  batchAccounts: Record<string, BatchAccountState>;
  faults: FaultRule[];
  /** Monotonic counter for ids and sequence numbers, so reloads do not reuse them. */
  sequence: number;
}

interface SubscriptionState {
  tenantId: string;
  /** Lower-cased resource group names → location. */
  resourceGroups: Record<string, { name: string; location: string }>;
  /** Provider namespace (lower-case) → registration state. */
  providers: Record<string, string>;
}

export interface ArmResource {
  id: string;
  /** Lower-case full type, e.g. microsoft.compute/galleries/images/versions */
  type: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  /** Extra top-level fields ARM returns (e.g. `plan`, `resources` of a VM). */
  extra?: Record<string, unknown>;
  properties: Record<string, unknown>;
  createdAtSimMs: number;
  /** When provisioning finishes; undefined = already done. */
  readyAtSimMs?: number;
  /** Set when provisioning ends in failure at readyAtSimMs. */
  failure?: { code: string; message: string };
  /** Deletion in progress: the resource disappears at this instant. */
  deletingAtSimMs?: number;
  /** Replication state of a gallery image version. */
  replication?: RegionReplication[];
  /** Size used by duration models (GB). */
  sizeGb?: number;
  /** Simulator-only facts rendered on demand (e.g. a VM's instance view). */
  hidden?: Record<string, unknown>;
}

export interface RegionReplication {
  region: string;
  replicaCount: number;
  storageAccountType: string;
  startedAtSimMs: number;
  durationMs: number;
  /** Failure injected at this instant, with this message. */
  failAtSimMs?: number;
  failDetails?: string;
  attempt: number;
}

export interface Operation {
  id: string;
  subscriptionId: string;
  location: string;
  kind: 'put' | 'delete' | 'patch';
  resourceId: string;
  startedAtSimMs: number;
  /** Deletes and fixed-length operations end here; PUTs follow their resource's provisioning. */
  endsAtSimMs?: number;
  failure?: { code: string; message: string };
}

export interface BatchAccountState {
  name: string;
  id: string;
  region: string;
  subscriptionId: string;
  /**
   * Core quotas as Microsoft.Batch reports them on the account (dedicatedCoreQuota, lowPriorityCoreQuota):
   * a pool uses nodes × the vCPUs of its VM size (src/domain/cutover/vmSizes.ts; an unknown size counts 1).
   */
  dedicatedQuota: number;
  lowPriorityQuota: number;
  /** dedicatedCoreQuotaPerVMFamily (family name → cores), applied when `perFamilyEnforced`. */
  perFamilyQuota?: Record<string, number>;
  perFamilyEnforced?: boolean;
  poolQuota?: number;
  activeJobAndJobScheduleQuota?: number;
  supportedImages: SupportedImage[];
  pools: Record<string, BatchPoolState>;
  /**
   * Jobs, job schedules and how the account's tasks behave (batch/jobModel.ts). They travel with the
   * account in the state file (its journal entry): a handful per account, so no entries of their own.
   */
  jobs?: Record<string, BatchJobState>;
  jobSchedules?: Record<string, BatchJobScheduleState>;
  taskRules?: TaskRule[];
}

export interface BatchPoolState {
  /** The body Batch stores (wire casing), without derived fields. */
  spec: Record<string, unknown>;
  id: string;
  createdAtSimMs: number;
  eTag: string;
  /** The current resize: from → to between start and end. */
  resize: {
    startedAtSimMs: number;
    fromDedicated: number;
    fromLowPriority: number;
    toDedicated: number;
    toLowPriority: number;
    /** When allocation would finish. */
    durationMs: number;
    timeoutMs: number;
    /** Injected or modelled failure: nodes stop at this fraction with these errors. */
    error?: { code: string; message: string; values?: { name: string; value: string }[]; atFraction: number };
    stoppedAtSimMs?: number;
    /** How nodes leave a shrinking pool (`nodeDeallocationOption`): the ARM view reports it back. */
    deallocation?: string;
  };
  deletingAtSimMs?: number;
  /** Set when the pool autoscales: its formula's first evaluation (Batch's autoScaleRun). */
  autoScale?: BatchAutoScaleState;
  /**
   * The pool as the management plane (ARM) holds it, when it was made there: the properties as sent
   * (management casing) and the pool identity, which the data plane cannot express. One pool, two views.
   */
  arm?: { properties: Record<string, unknown>; identity?: Record<string, unknown> };
}

export interface BatchAutoScaleState {
  formula: string;
  evaluationInterval: string;
  lastRunAtSimMs: number;
  results?: string;
  error?: { code: string; message: string };
}

export function emptyWorld(): WorldState {
  return { subscriptions: {}, resources: {}, operations: {}, batchAccounts: {}, faults: [], sequence: 0 };
}
