import type { OrchestrationContext } from 'durable-functions';
import { executionStamp, type PipelineInput } from '../domain/pipeline';
import type { Finding } from '../domain/findings';
import { nowIso } from './steps';
import { pipelineStatus, type PipelineState, type RolloutSummary, type Stage } from './pipelineStatus';
import type { Publisher } from './milestones';
import { markStage } from './stageTimeline';

/** One run of the pipeline: what it was asked, what it shows as custom status, what has succeeded. */
export interface PipelineRun extends PipelineInput {
  instanceId: string;
  /** This execution (its start time): event ids and region children tell it from an earlier one. */
  execution: string;
  publisher: Publisher;
  status: PipelineState;
  succeeded: { imageVersionId?: string; regionsReplicated: string[]; poolsReady: string[] };
  /** Where this build puts snapshots: swept before, cleaned up after a failure. */
  snapshotGroups: string[];
  /** Moves to `stage` (when given) and sets the custom status the CLI and the status API read. */
  showStatus(stage?: Stage): void;
}

/** How a run ends: delivered, or stopped at a stage with a reason (and findings for a rejected request). */
export type PipelineOutcome =
  { ok: true; summary: RolloutSummary } | { ok: false; stage: Stage; reason: string; findings: Finding[] };

export function startRun(context: OrchestrationContext, input: PipelineInput): PipelineRun {
  const instanceId = context.df.instanceId;
  const execution = executionStamp(context.df.currentUtcDateTime);
  const status: PipelineState = {
    requestId: input.request.requestId,
    stage: 'preflight',
    regions: [],
    pools: [],
    regionInstances: [],
    startedAt: nowIso(context),
    updatedAt: nowIso(context),
  };
  return {
    ...input,
    instanceId,
    execution,
    // Event ids tell this execution from an earlier one of the same instance id.
    publisher: { instanceId, requestId: input.request.requestId, occurrence: execution },
    status,
    succeeded: { imageVersionId: undefined, regionsReplicated: [], poolsReady: [] },
    snapshotGroups: [],
    showStatus(stage?: Stage) {
      if (stage) status.stage = stage;
      status.updatedAt = nowIso(context);
      markStage(status, status.updatedAt);
      context.df.setCustomStatus(pipelineStatus(status));
    },
  };
}

/** A request refused before anything was made: the findings, and a reason that names each error. */
export function rejected(findings: Finding[]): PipelineOutcome {
  const errors = findings.filter((f) => f.severity === 'error');
  const where = errors.map((f) => `${f.code} at ${f.path}`).join(', ');
  return {
    ok: false,
    stage: 'preflight',
    reason: `preflight found ${errors.length} problem(s): ${where}`,
    findings,
  };
}

export const delivered = (summary: RolloutSummary): PipelineOutcome => ({ ok: true, summary });
export const failedAt = (stage: Stage, reason: string): PipelineOutcome => ({
  ok: false,
  stage,
  reason,
  findings: [],
});
