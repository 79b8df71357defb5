import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WAVE_EVENT_TYPES, waveEventSchemas } from './cutover/waveEvents';

/**
 * The event catalogue: every milestone goes out as a CloudEvents 1.0 structured JSON message. Data
 * schemas are exported to `schemas/events/` so subscribers can validate what they receive.
 */
export const EVENT_TYPES = {
  pipelineAccepted: 'BatchImageFactory.Pipeline.Accepted',
  imagePublished: 'BatchImageFactory.Image.Published',
  regionReplicated: 'BatchImageFactory.Region.Replicated',
  regionFailed: 'BatchImageFactory.Region.Failed',
  poolReady: 'BatchImageFactory.Pool.Ready',
  poolFailed: 'BatchImageFactory.Pool.Failed',
  poolRetired: 'BatchImageFactory.Pool.Retired',
  poolShrunkForCutover: 'BatchImageFactory.Pool.ShrunkForCutover',
  poolCutoverReplanned: 'BatchImageFactory.Pool.CutoverReplanned',
  poolUpdatedInPlace: 'BatchImageFactory.Pool.UpdatedInPlace',
  poolGatePassed: 'BatchImageFactory.Pool.GatePassed',
  poolGateFailed: 'BatchImageFactory.Pool.GateFailed',
  poolRolledBack: 'BatchImageFactory.Pool.RolledBack',
  poolSmokeTested: 'BatchImageFactory.Pool.SmokeTested',
  poolJobsMigrated: 'BatchImageFactory.Pool.JobsMigrated',
  poolJobsMovedBack: 'BatchImageFactory.Pool.JobsMovedBack',
  pipelineCompleted: 'BatchImageFactory.Pipeline.Completed',
  pipelineFailed: 'BatchImageFactory.Pipeline.Failed',
  ...WAVE_EVENT_TYPES,
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

const findingSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  path: z.string(),
  message: z.string(),
});
const targetRegion = z.object({ name: z.string(), replicaCount: z.number().int() });
const common = {
  requestId: z.string().describe('The build request id; also the Service Bus correlationId.'),
  instanceId: z.string().describe('The Durable orchestration instance that emitted the event.'),
};
const resizeError = z.object({ code: z.string(), message: z.string() });
const cutoverPlan = z.object({
  strategy: z.enum(['blue-green', 'shrink-old-first', 'in-place']),
  shrinkOld: z
    .object({
      poolId: z.string(),
      toDedicated: z.number().int(),
      toLowPriority: z.number().int(),
      fromDedicated: z.number().int(),
      fromLowPriority: z.number().int(),
    })
    .optional(),
  missingCores: z.record(z.number()).optional(),
  poolId: z.string().optional(),
  requested: z.enum(['auto', 'in-place']).optional(),
});
/** Shrink-old-first, when the new pool ended early: what became of the old pool it had shrunk. */
const oldPoolOutcome = z
  .enum(['resized-back', 'stopped-short', 'still-resizing', 'left-shrunk', 'gone'])
  .describe(
    'resized-back: steady at its targets from before the shrink; stopped-short: steady below them (resizeErrors say why); still-resizing: asked, not steady when last read; left-shrunk: its resize could not be stopped in time, it stays shrunk (fix names az batch pool stop-resize); gone: deleted meanwhile.',
  );
const restoredOldPool = z
  .object({
    poolId: z.string(),
    toDedicatedNodes: z.number().int().describe('Its targets before the shrink, asked back.'),
    toLowPriorityNodes: z.number().int(),
    stoppedShrink: z
      .boolean()
      .optional()
      .describe('Its shrink was still running and was stopped (Pool Stop Resize).'),
    allocationState: z.enum(['steady', 'resizing', 'stopping']).optional(),
    currentDedicatedNodes: z.number().int().optional(),
    currentLowPriorityNodes: z.number().int().optional(),
    resizeErrors: z.array(resizeError).optional(),
  })
  .describe(
    'Shrink-old-first: the pool it was to replace, shrunk for it, asked to resize back to the targets it had before, as Batch reported it afterwards (read until steady, within 30 minutes).',
  );
const nodeCounts = z
  .record(z.number().int())
  .describe(
    'Nodes per Batch node state (idle, running, starting, unusable, starttaskfailed…), dedicated and Spot together.',
  );
const nodeError = z.object({
  nodeId: z.string(),
  state: z.string(),
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
const gateResult = {
  ...common,
  accountId: z.string(),
  poolId: z.string(),
  region: z.string(),
  imageVersionId: z.string(),
  nodeCounts,
  totalNodes: z.number().int(),
  healthyPercent: z.number().describe('Share of the nodes idle or running, in percent.'),
  minHealthyPercent: z.number(),
  settleSeconds: z.number().int(),
  reason: z.string(),
};

export const EVENT_DATA_SCHEMAS = {
  [EVENT_TYPES.pipelineAccepted]: z.object({
    ...common,
    imageDefinitionId: z.string(),
    version: z.string(),
    regions: z.array(targetRegion.extend({ capacity: z.number().int() })),
    pools: z.array(z.object({ poolId: z.string(), accountId: z.string(), region: z.string() })),
    warnings: z.array(findingSchema),
  }),
  [EVENT_TYPES.imagePublished]: z.object({
    ...common,
    imageVersionId: z.string(),
    version: z.string(),
    sourceType: z.string(),
    targetRegions: z.array(targetRegion),
  }),
  [EVENT_TYPES.regionReplicated]: z.object({
    ...common,
    imageVersionId: z.string(),
    region: z.string(),
    replicaCount: z.number().int(),
    attempts: z.number().int(),
    replicatedAt: z.string(),
  }),
  [EVENT_TYPES.regionFailed]: z.object({
    ...common,
    imageVersionId: z.string(),
    region: z.string(),
    reason: z.string(),
    attempts: z.number().int(),
    poolsSkipped: z.array(z.string()),
  }),
  [EVENT_TYPES.poolReady]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    region: z.string(),
    imageVersionId: z.string(),
    currentDedicatedNodes: z.number().int(),
    currentLowPriorityNodes: z.number().int(),
  }),
  [EVENT_TYPES.poolFailed]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    region: z.string(),
    reason: z.string(),
    resizeErrors: z.array(resizeError),
    /**
     * A failed pool is kept as Batch left it (its nodes, resize errors and node logs are the diagnosis),
     * not scaled to 0: `fix` says how to stop paying for it or replace it (README "Failed pools").
     */
    disposition: z
      .enum(['kept-for-inspection', 'rolled-back'])
      .optional()
      .describe(
        'rolled-back: the pool failed its health gate, smoke test or (after its old pool was shrunk for it) allocation and was deleted; the pool it replaces stays.',
      ),
    fix: z.string().optional(),
    oldPoolOutcome: oldPoolOutcome.optional(),
    restoredOldPool: restoredOldPool.optional(),
    /** A pool that failed its health gate: its nodes per state and the first node errors Batch reports. */
    nodeCounts: nodeCounts.optional(),
    nodeErrors: z.array(nodeError).optional(),
  }),
  [EVENT_TYPES.poolGatePassed]: z.object(gateResult),
  [EVENT_TYPES.poolGateFailed]: z.object({ ...gateResult, nodeErrors: z.array(nodeError) }),
  [EVENT_TYPES.poolRetired]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    replacedBy: z.string(),
  }),
  /** Shrink-old-first: the replaced pool was resized down (taskcompletion) before its successor grows. */
  [EVENT_TYPES.poolShrunkForCutover]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    replacedBy: z.string(),
    region: z.string(),
    toDedicatedNodes: z.number().int(),
    toLowPriorityNodes: z.number().int(),
    /**
     * The old pool's targets before the shrink (for a restarted run, before its first run's shrink, from
     * the pool's `bif-shrink` marker): what a rollback resizes it back to.
     */
    fromDedicatedNodes: z.number().int().optional(),
    fromLowPriorityNodes: z.number().int().optional(),
    /** Cores missing for old + new side by side, per quota (dedicated, a VM family, lowPriority). */
    missingCores: z.record(z.number()),
  }),
  /**
   * The region's capacity re-check changed a pool's cutover plan (quotas lowered, other pools grown or
   * shrunk since submission), published before anything is shrunk or created under the new plan.
   */
  [EVENT_TYPES.poolCutoverReplanned]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    region: z.string(),
    previousPlan: cutoverPlan.describe('The plan made at submission (preflight).'),
    plan: cutoverPlan.describe('The plan the pool now follows.'),
    missingCores: z
      .record(z.number())
      .describe('Cores missing for old + new side by side now, per quota; empty when they fit.'),
    quotas: z
      .object({
        dedicatedCoreQuota: z.number().int(),
        lowPriorityCoreQuota: z.number().int(),
        perFamily: z.record(z.number().int()),
        perFamilyEnforced: z.boolean(),
      })
      .optional()
      .describe('The account core quotas read by the re-check.'),
    reason: z.string(),
    fix: z.string().describe('How to keep the plan made at submission instead (onInsufficientQuota).'),
  }),
  /** In place: the replaced pool (no nodes) took the new image under its own id; no new pool was made. */
  [EVENT_TYPES.poolUpdatedInPlace]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    requestedPoolId: z.string(),
    region: z.string(),
    imageVersionId: z.string(),
  }),
  [EVENT_TYPES.poolSmokeTested]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    region: z.string(),
    jobId: z.string().describe('The smoke-test job; deleted afterwards whatever happened.'),
    passed: z.boolean(),
    reason: z.string().optional(),
    tasks: z.array(
      z.object({
        taskId: z.string(),
        state: z.string(),
        exitCode: z.number().int().optional(),
        result: z.string().optional(),
      }),
    ),
  }),
  [EVENT_TYPES.poolRolledBack]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string().describe('The new pool, deleted.'),
    region: z.string(),
    reason: z.string(),
    keptPool: z.string().optional().describe('The pool it was to replace: kept, with its jobs.'),
    oldPoolOutcome: oldPoolOutcome.optional(),
    restoredOldPool: restoredOldPool.optional(),
    fix: z
      .string()
      .optional()
      .describe(
        'Shrink-old-first: what became of the kept pool, and the commands to finish by hand if needed.',
      ),
  }),
  [EVENT_TYPES.poolJobsMigrated]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string().describe('The new pool, which now runs the work.'),
    replaces: z.string(),
    schedules: z.array(z.string()).describe('Job schedules whose jobSpecification now targets poolId.'),
    jobs: z
      .array(z.string())
      .describe(
        "Jobs moved (disabled with wait, repointed, enabled again): each schedule's current job, and the pool's other jobs when migrateJobs.",
      ),
    skipped: z
      .object({
        schedules: z.array(z.string()),
        jobs: z.array(z.string()),
      })
      .optional()
      .describe(
        'Left on the old pool because they had ended: schedules completed, terminating or being deleted; jobs terminating or being deleted (Batch refuses to change them).',
      ),
  }),
  [EVENT_TYPES.poolJobsMovedBack]: z.object({
    ...common,
    accountId: z.string(),
    poolId: z.string(),
    replaces: z.string().describe('The old pool: kept, with every moved job and schedule back on it.'),
    reason: z.string(),
    schedules: z.array(z.string()),
    jobs: z.array(z.string()),
  }),
  [EVENT_TYPES.pipelineCompleted]: z.object({
    ...common,
    imageVersionId: z.string(),
    regionsReplicated: z.array(z.string()),
    regionsFailed: z.array(z.string()),
    poolsReady: z.array(z.string()),
    poolsFailed: z.array(z.string()),
    startedAt: z.string(),
    completedAt: z.string(),
  }),
  [EVENT_TYPES.pipelineFailed]: z.object({
    ...common,
    stage: z.string().describe('Where it stopped: validation, preflight, snapshot, image, version, rollout…'),
    reason: z.string(),
    findings: z.array(findingSchema),
    succeeded: z
      .object({
        imageVersionId: z.string().optional(),
        regionsReplicated: z.array(z.string()),
        poolsReady: z.array(z.string()),
      })
      .describe('What did succeed before the failure, so nobody rebuilds it blindly.'),
  }),
  ...waveEventSchemas(common),
} as const satisfies Record<EventType, z.ZodTypeAny>;

export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

/**
 * A milestone as an orchestrator asks for it: what the publisher turns into a CloudEvent. One variant per
 * type, so the data must be that type's data.
 */
export type EventToPublish<T extends EventType = EventType> = T extends EventType
  ? { type: T; subject: string; data: EventData<T> }
  : never;

export interface CloudEvent<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: EventData<T>;
}

const EVENT_SOURCE_PREFIX = '/batch-image-factory/pipelines/';

/**
 * One id per cause: (instance, type, subject, occurrence). The occurrence tells apart what would
 * otherwise share the first three — the execution of an instance (its start time), or the intake
 * message a rejection is about (its hash). A re-send of the same event (an activity Durable ran twice)
 * gets the same id, which is also the Service Bus messageId, so duplicate detection drops the copy and
 * only the copy.
 */
export function eventId(instanceId: string, type: EventType, subject: string, occurrence = ''): string {
  return createHash('sha256')
    .update(`${instanceId}\n${type}\n${subject}\n${occurrence}`)
    .digest('hex')
    .slice(0, 32);
}

export function makeEvent<T extends EventType>(
  type: T,
  args: { instanceId: string; subject: string; time: string; data: EventData<T>; occurrence?: string },
): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: eventId(args.instanceId, type, args.subject, args.occurrence),
    source: `${EVENT_SOURCE_PREFIX}${args.instanceId}`,
    type,
    subject: args.subject,
    time: args.time,
    datacontenttype: 'application/json',
    data: EVENT_DATA_SCHEMAS[type].parse(args.data) as EventData<T>,
  };
}
