import { describeCutover } from '../domain/cutover/capacity';
import { DEFAULT_CAPACITY_CUTOVER } from '../domain/cutover/cutoverRequest';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import { finding } from '../domain/findings';
import type { PipelineInput, PreflightResult } from '../domain/pipeline';
import { ledgerDefinitionOf } from '../domain/ledgerBuilds';
import { activities, asStepError, publish } from './steps';
import { updateTargetRegionsWhenIdle } from './versionWrites';
import { askLedger, tellLedger } from './ledgerCalls';
import {
  AUTO_LEASES,
  autoLeasesExhausted,
  autoVersionTakenBy,
  autoVersionTakenIn,
  leaseVersion,
} from './versionLease';
import { fanOutRegions, regionChildIds, type Rollout } from './regionFanOut';
import { summarizeRollout } from './rolloutOutcome';
import { publishCompleted, publishFailed } from './milestones';
import { buildImageVersion } from './imageBuild';
import { rollOutInWaves } from './waves';
import { expectedTimings, recordObservedTimings } from './learnedTimings';
import {
  delivered,
  failedAt,
  rejected,
  startRun,
  type PipelineOutcome,
  type PipelineRun,
} from './pipelineRun';

export type { PipelineStatus } from './pipelineStatus';

/**
 * The whole chain for one build request: preflight → snapshots → gallery and definition → image version
 * → one region rollout per region, all at once → retention → Completed (or Failed with what succeeded).
 */
export const imagePipeline: OrchestrationHandler = function* (context: OrchestrationContext) {
  const run = startRun(context, context.df.getInput() as PipelineInput);
  const { request, status } = run;
  run.showStatus();
  let outcome: PipelineOutcome;
  try {
    outcome = yield* buildAndRollOut(context, run);
  } catch (error) {
    // A step that failed for good (or outlasted its retries) stops the run where it was.
    outcome = {
      ok: false,
      stage: status.stage,
      reason: asStepError(status.stage, error).message,
      findings: [],
    };
  }
  if (outcome.ok) {
    status.outcome = outcome.summary;
    run.showStatus('completed');
    const versionId = run.succeeded.imageVersionId!;
    yield* publishCompleted(context, run.publisher, {
      versionId,
      summary: outcome.summary,
      startedAt: status.startedAt,
    });
    return { requestId: request.requestId, imageVersionId: versionId, ...outcome.summary };
  }
  status.error = outcome.reason;
  if (outcome.findings.length) status.findings = outcome.findings;
  run.showStatus('failed');
  yield* cleanUpAfterFailure(context, run);
  const { stage, reason, findings } = outcome;
  yield* publishFailed(context, run.publisher, { stage, reason, findings, succeeded: run.succeeded });
  throw new Error(`Pipeline ${request.requestId} failed at ${stage}: ${reason}`);
};

/** Lease, plan, make (or extend) the version, roll out every region, retain: how far it got, as a value. */
function* buildAndRollOut(context: OrchestrationContext, run: PipelineRun) {
  const { request, instanceId } = run;
  // Versions of one definition are allocated, leased and retained by its ledger, one build at a time.
  const ledger = ledgerDefinitionOf(request);
  const made = yield* leaseAndMakeVersion(context, run, ledger);
  if (!made.ok) return made.outcome;
  const { plan } = made;
  run.succeeded.imageVersionId = plan.versionId;

  const rollout: Rollout = {
    requestId: request.requestId,
    instanceId,
    execution: run.execution,
    versionId: plan.versionId,
    targetRegions: plan.targetRegions,
    pools: plan.pools,
    settings: run.settings,
    expectations: yield* expectedTimings(context, plan),
    // Preflight planned capacity from quotas read now; each region checks it again before its pools start.
    ...(plan.pools.length ? { capacity: request.cutover ?? DEFAULT_CAPACITY_CUTOVER } : {}),
  };
  const regions = plan.targetRegions.map((r) => r.name);
  run.status.regionInstances = regionChildIds(rollout, regions);
  run.showStatus('rollout');
  // With waves, regions cut over wave by wave (src/orchestrators/waves.ts); without, all at once.
  const { outcomes, failure } = request.waves
    ? yield* rollOutInWaves(context, run, rollout, regions, request.waves)
    : { outcomes: yield* fanOutRegions(context, rollout, regions), failure: undefined };
  const { summary, shortfall } = summarizeRollout(outcomes);
  yield* recordObservedTimings(
    context,
    { requestId: request.requestId, versionId: plan.versionId },
    plan,
    outcomes,
  );
  run.succeeded.regionsReplicated = summary.regionsReplicated;
  run.succeeded.poolsReady = summary.poolsReady;

  run.showStatus('retention');
  // The pools exist now (listed by retention as users of the version): the lease can go.
  const accounts = request.pools.map((p) => p.account);
  const retention = {
    kind: 'retention',
    execution: run.execution,
    keepVersions: request.retention.keepVersions,
    accounts,
    release: true,
  } as const;
  yield* askLedger(context, ledger, retention);
  if (request.retention.deleteIntermediates && plan.disks.length > 0 && summary.regionsFailed.length === 0) {
    const ids = plan.disks.flatMap((d) => (d.copyId ? [d.snapshotId, d.copyId] : [d.snapshotId]));
    yield* activities(context).deleteIntermediates({ ids });
  }
  run.status.outcome = summary;
  // A rollout shortfall is only known after retention ran; it is still a rollout failure.
  if (shortfall !== undefined || failure) return failedAt('rollout', failure ?? shortfall!);
  return delivered(summary);
}

/**
 * Lease a version, plan, make (or extend) it. An "auto" version found made by someone else (preflight,
 * or createImageVersion racing another writer) is leased again, up to AUTO_LEASES times.
 */
function* leaseAndMakeVersion(context: OrchestrationContext, run: PipelineRun, ledger: string) {
  const { request, instanceId } = run;
  const tried: string[] = [];
  for (;;) {
    const lease = yield* leaseVersion(context, run, ledger, tried.at(-1));
    if (!lease.ok)
      return {
        ok: false,
        outcome: rejected([finding('IMAGE_VERSION_EXISTS', 'image.version', lease.reason)]),
      } as const;
    tried.push(lease.version);
    // Shown at once: a ledger rebuilt without its custom status learns its leases from running builds.
    run.status.version = lease.version;
    run.status.imageVersionId = lease.versionId;
    run.showStatus();
    const plan = yield* activities(context).preflight({ request, instanceId, version: lease.version });
    const again = tried.length < AUTO_LEASES;
    if (!plan.ok && autoVersionTakenIn(request, plan.findings) && again) continue;
    if (!plan.ok)
      return {
        ok: false,
        outcome: rejected(
          autoVersionTakenIn(request, plan.findings) ? [autoLeasesExhausted(tried)] : plan.findings,
        ),
      } as const;
    yield* acceptPlan(context, run, plan);
    try {
      if (request.source.type === 'galleryImageVersion') {
        run.showStatus('version');
        // An existing version: make sure every pool region is a target (never lowering replicas).
        const { versionId, targetRegions } = plan;
        yield* updateTargetRegionsWhenIdle(context, { versionId, targetRegions }, run.settings);
      } else {
        yield* buildImageVersion(context, run, plan);
      }
      return { ok: true, plan } as const;
    } catch (error) {
      if (!autoVersionTakenBy(request, error)) throw error;
      if (!again) return { ok: false, outcome: rejected([autoLeasesExhausted(tried)]) } as const;
    }
  }
}

/** The plan is the build's from here: leftovers swept, the status filled in, Pipeline.Accepted sent. */
function* acceptPlan(context: OrchestrationContext, run: PipelineRun, plan: PreflightResult) {
  const { status, instanceId } = run;
  run.snapshotGroups = [...new Set(plan.disks.map((d) => d.snapshotId.split('/providers/')[0]!))];
  for (const resourceGroupId of run.snapshotGroups) yield* sweep(context, resourceGroupId, instanceId);
  status.version = plan.version;
  status.imageVersionId = plan.versionId;
  status.regions = plan.targetRegions.map((r) => ({
    name: r.name,
    replicaCount: r.replicaCount,
    capacity: plan.capacityByRegion[r.name] ?? 0,
  }));
  status.pools = plan.pools.map((p) => ({
    poolId: p.poolId,
    region: p.account.region,
    ...(p.cutover ? { cutover: describeCutover(p.cutover) } : {}),
  }));
  status.findings = plan.findings.filter((f) => f.severity === 'warning');
  run.showStatus();
  const pools = plan.pools.map((p) => ({
    poolId: p.poolId,
    accountId: p.account.id,
    region: p.account.region,
  }));
  yield* publish(context, run.publisher, [
    {
      type: EVENT_TYPES.pipelineAccepted,
      subject: plan.versionId,
      data: {
        instanceId,
        requestId: run.request.requestId,
        imageDefinitionId: plan.definitionId,
        version: plan.version,
        regions: status.regions,
        pools,
        warnings: plan.findings.filter((f) => f.severity === 'warning'),
      },
    },
  ]);
}

/** After a failure: give the lease back and remove this build's snapshots, both best effort. */
function* cleanUpAfterFailure(context: OrchestrationContext, run: PipelineRun) {
  try {
    yield* tellLedger(context, ledgerDefinitionOf(run.request), {
      kind: 'release',
      execution: run.execution,
    });
  } catch {
    // A lease left behind only keeps a version from deletion; the failure must still be told.
  }
  if (run.snapshotGroups.length === 0) return;
  try {
    yield* activities(context).deleteOwnedSnapshots({
      resourceGroupIds: run.snapshotGroups,
      instanceId: run.instanceId,
    });
  } catch {
    // Left for the next build's sweep of the group.
  }
}

/** Leftovers of failed or terminated builds in a group this build uses; never fails the build. */
function* sweep(context: OrchestrationContext, resourceGroupId: string, instanceId: string) {
  try {
    yield* activities(context).sweepLeftovers({ resourceGroupId, instanceId });
  } catch {
    // Best effort: the next build sweeps again.
  }
}
