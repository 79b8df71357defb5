import type { ImageSecurityPlan } from './planning/securityType';
import type { RegionTimeline } from './timings/observation';
import type { RegionExpectation } from './timings/learn';
import { createHash } from 'node:crypto';
import type { BuildRequest } from './buildRequest';
import type { Finding } from './findings';
import type { PoolRollout } from './batchPool';
import type { CapacityCutover } from './cutover/cutoverRequest';
import type { TargetRegionSpec } from './targetRegions';
import { internalInstanceId } from './instanceId';

export type { PoolRollout };

/**
 * The shapes that cross between orchestrators and activities (all JSON), and the deterministic names
 * the pipeline gives to what it creates, so a retried step finds what the first attempt made.
 */
export const ORCHESTRATORS = {
  imagePipeline: 'imagePipeline',
  regionRollout: 'regionRollout',
  rolloutVersion: 'rolloutVersion',
  definitionLedger: 'definitionLedger',
} as const;

/** Settings orchestrators need; passed in their input because orchestrators cannot read configuration. */
export interface OrchestrationSettings {
  regionStallLimitMs: number;
  regionRetryLimit: number;
  /** First and longest wait between replication and allocation polls. */
  pollMinMs: number;
  pollMaxMs: number;
  /**
   * Deadlines of the wait loops (every wait ends, with a clear failure, when its deadline passes).
   * Optional so that settings built before they existed still work: the defaults below apply.
   */
  deadlines?: Partial<WaitDeadlines>;
}

export interface WaitDeadlines {
  /** A snapshot, the gallery or the image definition finishing provisioning. */
  provisioningMs: number;
  /** One region's replication, all attempts together (reports go past 24 hours for many regions). */
  replicationMs: number;
  /** Beyond a pool's resizeTimeout, after which Batch should have ended the resize itself. */
  allocationGraceMs: number;
  /** A replaced pool draining (resize to 0 with taskcompletion waits for running tasks). */
  drainMs: number;
}

const DEFAULT_WAIT_DEADLINES: WaitDeadlines = {
  provisioningMs: 2 * 3_600_000,
  replicationMs: 3 * 24 * 3_600_000,
  allocationGraceMs: 30 * 60_000,
  drainMs: 24 * 3_600_000,
};

export function waitDeadlines(settings: OrchestrationSettings): WaitDeadlines {
  return { ...DEFAULT_WAIT_DEADLINES, ...settings.deadlines };
}

export const DEFAULT_ORCHESTRATION_SETTINGS: OrchestrationSettings = {
  regionStallLimitMs: 6 * 3_600_000,
  regionRetryLimit: 2,
  pollMinMs: 60_000,
  pollMaxMs: 10 * 60_000,
};

export interface PipelineInput {
  request: BuildRequest;
  settings: OrchestrationSettings;
}

export interface RegionRolloutInput {
  requestId: string;
  /** The instance that owns the events (the pipeline or the rollout), for stable event ids. */
  ownerInstanceId: string;
  /**
   * The owner's execution stamp (executionStamp): the occurrence of every event the child publishes, so
   * a restarted owner's events never share ids with the run it replaced (Service Bus would drop them as
   * duplicates). Inputs of children started before it existed lack it: their ids stay as they were.
   */
  ownerExecution: string;
  versionId: string;
  region: string;
  /** Every target region of the version: a retry PATCHes them all, only the failed one restarts. */
  targetRegions: TargetRegionSpec[];
  pools: PoolRollout[];
  settings: OrchestrationSettings;
  /**
   * Set when an earlier wave failed (the reason): the region replicates as usual but none of its pools
   * is created or retired. Absent (every rollout without waves): the region cuts over.
   */
  holdCutover?: string;
  /** What this region's history says it takes: poll pacing aims at it (absent: the built-in pacing). */
  expected?: RegionExpectation;
  /**
   * The request's cutover choices, when preflight planned capacity (builds): the region reads quotas and
   * pools again right before it creates its pools and plans them again (src/domain/cutover/replan.ts).
   * Absent (follower rollouts, children started before it existed): the plans stand as they came.
   */
  capacity?: CapacityCutover;
}

export interface PoolOutcome {
  poolId: string;
  accountId: string;
  state: 'ready' | 'failed' | 'skipped';
  reason?: string;
  retired?: string;
}

export interface RegionOutcome {
  region: string;
  replicated: boolean;
  attempts: number;
  reason?: string;
  pools: PoolOutcome[];
  /** What went wrong after replication that is not a pool's own failure (e.g. a pool left undrained). */
  problems?: string[];
  /** When the region reached each milestone: recorded as learned timings, drawn by `bif simulate`. */
  timeline?: RegionTimeline;
}

export interface RolloutVersionInput {
  requestId: string;
  versionId: string;
  targetRegions: TargetRegionSpec[];
  pools: PoolRollout[];
  settings: OrchestrationSettings;
}

export interface PreflightResult {
  ok: boolean;
  findings: Finding[];
  /** Resolved when version was "auto". */
  version: string;
  definitionId: string;
  versionId: string;
  galleryLocation: string;
  galleryExists: boolean;
  sourceLocation: string;
  targetRegions: TargetRegionSpec[];
  pools: PoolRollout[];
  /** Disks to snapshot (virtualMachine source), in LUN order, OS disk first. */
  /**
   * The VM's disks to capture. `copyId`: when the VM is in another region than the gallery, the
   * incremental snapshot is copied (CopyStart) to this id in the gallery's region and the version is
   * built from the copy.
   */
  disks: { role: 'os' | 'data'; lun?: number; diskId: string; snapshotId: string; copyId?: string }[];
  capacityByRegion: Record<string, number>;
  /**
   * Security type and architecture from source to definition, and the `securityProfile` pools from this
   * image need (src/domain/planning/securityType.ts). Optional: results recorded before it lack it.
   */
  image?: ImageSecurityPlan;
}

/**
 * Durable instance ids: the extension refuses ids over 256 characters (and `/ \\ # ?`); ours stay within
 * 100 so children (`…:region:…`) and the UI have room. Names are derived, never cut blindly: see boundedName.
 */
export const INSTANCE_ID_MAX = 100;
/** Managed disk snapshot names: 1–80 characters, letters, digits, `_ . -`; ARM names are case-insensitive. */
export const SNAPSHOT_NAME_MAX = 80;
const HASH_CHARS = 10;

export function shortHash(value: string, length = HASH_CHARS): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * A name within `max` characters that no other input can share. A name kept as is is shorter than
 * `max` (and, where names compare case-insensitively as ARM's do, lower case: "Run-1" and "run-1"
 * would be one snapshot); anything else keeps a readable head and is filled up to exactly `max` with
 * a hash of the exact input. Kept and hashed names can never meet (lengths differ), and two hashed
 * names differ unless sha512 prefixes of at least 10 hex digits collide.
 */
export function boundedName(
  name: string,
  max: number,
  unique: string,
  options: { caseInsensitive?: boolean } = {},
): string {
  const folded = options.caseInsensitive ? name.toLowerCase() : name;
  if (name.length < max && folded === name) return name;
  const head = folded.slice(0, max - HASH_CHARS - 1);
  const hash = createHash('sha512').update(unique).digest('hex');
  return `${head}-${hash.slice(0, max - head.length - 1)}`;
}

export function pipelineInstanceId(requestId: string): string {
  return boundedName(`bif-${requestId}`.replace(/[^A-Za-z0-9_.:-]/g, '-'), INSTANCE_ID_MAX, requestId);
}

/** Who speaks for the intake when it rejects a message: no orchestration runs, so the message names it. */
export function intakeInstanceId(messageHash: string): string {
  return internalInstanceId('intake', messageHash);
}

/**
 * A region child's id: unique per execution of its owner, so a restarted owner (same instance id,
 * new execution) never shares a child — nor a child's late answers — with the run it replaced.
 * `execution` is deterministic per execution: see executionStamp. Bounded like every derived id.
 */
export function regionInstanceId(ownerInstanceId: string, region: string, execution: string): string {
  const id = `${ownerInstanceId}:${execution}:region:${region}`;
  return boundedName(id, INSTANCE_ID_MAX, id);
}

/** The execution stamp inside a region child's id of `ownerInstanceId` (undefined for another shape). */
export function executionStampOf(childInstanceId: string, ownerInstanceId: string): string | undefined {
  if (!childInstanceId.startsWith(`${ownerInstanceId}:`)) return undefined;
  const [stamp, marker] = childInstanceId.slice(ownerInstanceId.length + 1).split(':');
  return marker === 'region' && stamp ? stamp : undefined;
}

/** A short, replay-safe identity of one execution: its start time (the first currentUtcDateTime), base 36. */
export function executionStamp(startedAt: Date): string {
  return startedAt.getTime().toString(36);
}

export function rolloutInstanceId(versionId: string): string {
  const name = versionId.split('/').slice(-3);
  const hash = shortHash(versionId.toLowerCase());
  const id = internalInstanceId('rollout', `${name[0]}-${name[2]}-${hash}`);
  return boundedName(id, INSTANCE_ID_MAX, id);
}

/** Snapshots made by the pipeline: named after the request, so a retry PUTs the same one. */
export function snapshotName(requestId: string, role: 'os' | 'data', lun?: number): string {
  const base = `bif-${requestId}-${role === 'os' ? 'os' : `data${lun}`}`.replace(/[^A-Za-z0-9_.-]/g, '-');
  return boundedName(base, SNAPSHOT_NAME_MAX, `${requestId}\n${base}`, { caseInsensitive: true });
}

/** Tags put on what the pipeline creates: who made it (also how Event Grid recognises our own writes). */
export function ownershipTags(instanceId: string, requestId: string): Record<string, string> {
  return { 'bif-instance': instanceId, 'bif-request': requestId };
}

export const OWNER_TAG = 'bif-instance';

/**
 * On a version: which source it was made from. A build restarted under the same requestId (same instance,
 * same owner tag) with a corrected source must not adopt the version its failed run made from the old one.
 */
export const SOURCE_TAG = 'bif-source';

export function sourceFingerprint(source: BuildRequest['source']): string {
  return createHash('sha256').update(JSON.stringify(source)).digest('hex').slice(0, 16);
}
