import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import type { Finding } from '../domain/findings';
import type { RolloutSummary } from './pipelineStatus';
import { nowIso, publish } from './steps';

/** Who publishes: the owner instance, its request, and the execution that tells re-runs apart. */
export interface Publisher {
  instanceId: string;
  requestId: string;
  occurrence?: string;
}

const ownerOf = (p: Publisher) => ({ instanceId: p.instanceId, requestId: p.requestId });

/** Pipeline.Completed: the version and everything the rollout delivered. */
export function* publishCompleted(
  context: OrchestrationContext,
  publisher: Publisher,
  args: { versionId: string; summary: RolloutSummary; startedAt: string },
) {
  yield* publish(context, publisher, [
    {
      type: EVENT_TYPES.pipelineCompleted,
      subject: args.versionId,
      data: {
        ...ownerOf(publisher),
        imageVersionId: args.versionId,
        ...args.summary,
        startedAt: args.startedAt,
        completedAt: nowIso(context),
      },
    },
  ]);
}

/** Pipeline.Failed: where it stopped, why, and what did succeed so nobody rebuilds it blindly. */
export function* publishFailed(
  context: OrchestrationContext,
  publisher: Publisher,
  args: {
    stage: string;
    reason: string;
    findings: Finding[];
    succeeded: { imageVersionId?: string; regionsReplicated: string[]; poolsReady: string[] };
  },
) {
  yield* publish(context, publisher, [
    {
      type: EVENT_TYPES.pipelineFailed,
      subject: `pipelines/${publisher.instanceId}`,
      data: { ...ownerOf(publisher), ...args },
    },
  ]);
}
