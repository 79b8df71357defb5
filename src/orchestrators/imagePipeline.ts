import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { ACTIVITIES } from '../activities/names';
import { EVENT_TYPES } from '../domain/events';
import type { Finding } from '../domain/findings';
import type { BuildRequest } from '../domain/buildRequest';
import {
  executionStamp,
  ORCHESTRATORS,
  ownershipTags,
  SOURCE_TAG,
  sourceFingerprint,
  regionInstanceId,
  type PipelineInput,
  type PreflightResult,
  type RegionOutcome,
  type RegionRolloutInput,
  waitDeadlines,
} from '../domain/pipeline';
import type { ProvisioningState, VersionSource } from '../ports';
import {
  asStepError,
  describeMs,
  nowIso,
  nowMs,
  publish,
  sleep,
  step,
  steps,
  StepFailedError,
} from './steps';
import { pipelineStatus, type PipelineState, type Stage } from './pipelineStatus';
import { joinReasons } from './statusBudget';
import { updateTargetRegionsWhenIdle } from './versionWrites';
import { askLedger, tellLedger } from './ledgerCalls';
import { finding } from '../domain/findings';
import { imageDefinitionId } from '../domain/factoryConfig';
import type { LeaseReply } from '../domain/ledger';

export type { PipelineStatus } from './pipelineStatus';

class PreflightRejected extends Error {
  constructor(readonly findings: Finding[]) {
    super(
      `preflight found ${findings.filter((f) => f.severity === 'error').length} problem(s): ${findings
        .filter((f) => f.severity === 'error')
        .map((f) => `${f.code} at ${f.path}`)
        .join(', ')}`,
    );
  }
}

const PROVISIONING_POLL_MS = 30_000;

/**
 * The whole chain for one build request: preflight → snapshots → gallery and definition → image version
 * → one region rollout per region, all at once → retention → Completed (or Failed with what succeeded).
 */
export const imagePipeline: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { request, settings } = context.df.getInput() as PipelineInput;
  const instanceId = context.df.instanceId;
  const execution = executionStamp(context.df.currentUtcDateTime);
  const owner = { instanceId, requestId: request.requestId };
  const status: PipelineState = {
    requestId: request.requestId,
    stage: 'preflight',
    regions: [],
    pools: [],
    regionInstances: [],
    startedAt: nowIso(context),
    updatedAt: nowIso(context),
  };
  const report = (stage?: Stage) => {
    if (stage) status.stage = stage;
    status.updatedAt = nowIso(context);
    context.df.setCustomStatus(pipelineStatus(status));
  };
  const succeeded = {
    imageVersionId: undefined as string | undefined,
    regionsReplicated: [] as string[],
    poolsReady: [] as string[],
  };
  // Event ids tell this execution from an earlier one of the same instance id.
  const sender = { ...owner, occurrence: execution };
  report();

  // Versions of one definition are allocated, leased and retained by its ledger, one build at a time.
  const ledgerDefinition = ledgerDefinitionOf(request);
  /** Where this build puts snapshots: swept before, cleaned up after a failure. */
  let snapshotGroups: string[] = [];
  try {
    // Keyed by this execution (a restart must not get the earlier run's version); rolling out an
    // existing version only shares it.
    const lease = yield* askLedger<LeaseReply>(context, ledgerDefinition, {
      kind: 'lease',
      execution,
      ...(request.source.type === 'galleryImageVersion'
        ? { version: request.source.id.split('/').at(-1)!, shared: true }
        : { version: request.image.version }),
    });
    if (!lease.ok)
      throw new PreflightRejected([finding('IMAGE_VERSION_EXISTS', 'image.version', lease.reason)]);
    // Shown at once: a ledger rebuilt without its custom status learns its leases from running builds.
    status.version = lease.version;
    status.imageVersionId = lease.versionId;
    report();
    const plan = yield* step<PreflightResult>(context, ACTIVITIES.preflight, {
      request,
      instanceId,
      version: lease.version,
    });
    if (!plan.ok) throw new PreflightRejected(plan.findings);
    snapshotGroups = [...new Set(plan.disks.map((d) => d.snapshotId.split('/providers/')[0]!))];
    for (const resourceGroupId of snapshotGroups) yield* sweep(context, resourceGroupId, instanceId);
    status.version = plan.version;
    status.imageVersionId = plan.versionId;
    status.regions = plan.targetRegions.map((r) => ({
      name: r.name,
      replicaCount: r.replicaCount,
      capacity: plan.capacityByRegion[r.name] ?? 0,
    }));
    status.pools = plan.pools.map((p) => ({ poolId: p.poolId, region: p.account.region }));
    report();
    yield* publish(context, sender, [
      {
        type: EVENT_TYPES.pipelineAccepted,
        subject: plan.versionId,
        data: {
          ...owner,
          imageDefinitionId: plan.definitionId,
          version: plan.version,
          regions: status.regions,
          pools: plan.pools.map((p) => ({
            poolId: p.poolId,
            accountId: p.account.id,
            region: p.account.region,
          })),
          warnings: plan.findings.filter((f) => f.severity === 'warning'),
        },
      },
    ]);

    if (request.source.type === 'galleryImageVersion') {
      report('version');
      // An existing version: make sure every pool region is a target (never lowering replicas).
      yield* updateTargetRegionsWhenIdle(
        context,
        { versionId: plan.versionId, targetRegions: plan.targetRegions },
        settings,
      );
    } else {
      const source = yield* captureSource(
        context,
        request,
        plan,
        report,
        instanceId,
        waitDeadlines(settings).provisioningMs,
      );
      report('gallery');
      yield* untilProvisioned(
        context,
        ACTIVITIES.ensureGallery,
        { galleryId: request.image.galleryId, location: plan.galleryLocation },
        waitDeadlines(settings).provisioningMs,
      );
      yield* untilProvisioned(
        context,
        ACTIVITIES.ensureImageDefinition,
        {
          id: plan.definitionId,
          location: plan.galleryLocation,
          osType: request.image.osType,
          hyperVGeneration: request.image.hyperVGeneration,
          identifier: request.image.identifier,
          description: request.image.description,
        },
        waitDeadlines(settings).provisioningMs,
      );
      report('version');
      yield* step(context, ACTIVITIES.createImageVersion, {
        versionId: plan.versionId,
        location: plan.galleryLocation,
        source,
        targetRegions: plan.targetRegions,
        excludeFromLatest: request.replication.excludeFromLatest,
        endOfLifeDate: request.image.endOfLifeDate,
        tags: {
          ...ownershipTags(instanceId, request.requestId),
          [SOURCE_TAG]: sourceFingerprint(request.source),
        },
      });
      yield* publish(context, sender, [
        {
          type: EVENT_TYPES.imagePublished,
          subject: plan.versionId,
          data: {
            ...owner,
            imageVersionId: plan.versionId,
            version: plan.version,
            sourceType: request.source.type,
            targetRegions: status.regions.map(({ name, replicaCount }) => ({ name, replicaCount })),
          },
        },
      ]);
    }
    succeeded.imageVersionId = plan.versionId;

    report('rollout');
    const outcomes = yield* rollOutRegions(
      context,
      { instanceId, execution },
      request.requestId,
      plan,
      settings,
      status,
      report,
    );
    for (const o of outcomes) {
      if (o.replicated) succeeded.regionsReplicated.push(o.region);
      succeeded.poolsReady.push(...o.pools.filter((p) => p.state === 'ready').map((p) => p.poolId));
    }

    report('retention');
    // The pools exist now (listed by retention as users of the version): the lease can go.
    yield* askLedger(context, ledgerDefinition, {
      kind: 'retention',
      execution,
      keepVersions: request.retention.keepVersions,
      accounts: request.pools.map((p) => p.account),
      release: true,
    });
    const allReplicated = outcomes.every((o) => o.replicated);
    if (request.retention.deleteIntermediates && plan.disks.length > 0 && allReplicated) {
      yield* step(context, ACTIVITIES.deleteIntermediates, {
        ids: plan.disks.flatMap((d) => (d.copyId ? [d.snapshotId, d.copyId] : [d.snapshotId])),
      });
    }

    const failedRegions = outcomes.filter((o) => !o.replicated);
    const failedPools = outcomes.flatMap((o) => o.pools.filter((p) => p.state !== 'ready'));
    // After replication, a region can still fail in ways that are no pool's own (an old pool left undrained).
    const problems = outcomes.flatMap((o) =>
      o.replicated ? (o.problems ?? []).map((p) => `region ${o.region}: ${p}`) : [],
    );
    status.outcome = {
      regionsReplicated: succeeded.regionsReplicated,
      regionsFailed: failedRegions.map((o) => o.region),
      poolsReady: succeeded.poolsReady,
      poolsFailed: failedPools.map((p) => p.poolId),
    };
    if (failedRegions.length === 0 && failedPools.length === 0 && problems.length === 0) {
      report('completed');
      yield* publish(context, sender, [
        {
          type: EVENT_TYPES.pipelineCompleted,
          subject: plan.versionId,
          data: {
            ...owner,
            imageVersionId: plan.versionId,
            ...status.outcome,
            startedAt: status.startedAt,
            completedAt: nowIso(context),
          },
        },
      ]);
      return { requestId: request.requestId, imageVersionId: plan.versionId, ...status.outcome };
    }
    const reason = joinReasons([
      ...failedRegions.map((o) => `region ${o.region}: ${o.reason}`),
      ...failedPools.filter((p) => p.state === 'failed').map((p) => `pool ${p.poolId}: ${p.reason}`),
      ...problems,
    ]);
    throw new StepFailedError('rollout', { kind: 'permanent', code: 'RolloutIncomplete', message: reason });
  } catch (error) {
    const findings = error instanceof PreflightRejected ? error.findings : [];
    const reason =
      error instanceof PreflightRejected ? error.message : asStepError(status.stage, error).message;
    // A rollout shortfall is only known after retention ran; it is still a rollout failure.
    const stage = error instanceof StepFailedError && error.step === 'rollout' ? 'rollout' : status.stage;
    status.error = reason;
    report('failed');
    try {
      yield* tellLedger(context, ledgerDefinition, { kind: 'release', execution });
    } catch {
      // A lease left behind only keeps a version from deletion; the failure must still be told.
    }
    if (snapshotGroups.length > 0) {
      try {
        yield* step(context, ACTIVITIES.deleteOwnedSnapshots, {
          resourceGroupIds: snapshotGroups,
          instanceId,
        });
      } catch {
        // Left for the next build's sweep of the group.
      }
    }
    yield* publish(context, sender, [
      {
        type: EVENT_TYPES.pipelineFailed,
        subject: `pipelines/${instanceId}`,
        data: { ...owner, stage, reason, findings, succeeded },
      },
    ]);
    throw new Error(`Pipeline ${request.requestId} failed at ${stage}: ${reason}`);
  }
};

/** Snapshots of the VM's disks (all at once), or the snapshots/image the request names. */
function* captureSource(
  context: OrchestrationContext,
  request: BuildRequest,
  plan: PreflightResult,
  report: (s: Stage) => void,
  instanceId: string,
  provisioningMs: number,
) {
  const source = request.source;
  if (source.type === 'managedImage') return { managedImageId: source.id } as VersionSource;
  if (source.type === 'snapshots')
    return {
      osSnapshotId: source.osDisk,
      dataDisks: source.dataDisks.map((d) => ({ lun: d.lun, snapshotId: d.id })),
    } as VersionSource;
  report('snapshot');
  yield* steps(
    context,
    ACTIVITIES.beginSnapshot,
    plan.disks.map((d) => ({
      snapshotId: d.snapshotId,
      location: plan.sourceLocation,
      diskId: d.diskId,
      tags: ownershipTags(instanceId, request.requestId),
    })),
  );
  yield* untilAllProvisioned(
    context,
    plan.disks.map((d) => d.snapshotId),
    provisioningMs,
  );
  // A version is built only from sources in its own region: copy the snapshots into the gallery's.
  const copies = plan.disks.filter((d) => d.copyId);
  if (copies.length > 0) {
    yield* steps(
      context,
      ACTIVITIES.beginSnapshotCopy,
      copies.map((d) => ({
        copyId: d.copyId!,
        location: plan.galleryLocation,
        sourceSnapshotId: d.snapshotId,
        tags: ownershipTags(instanceId, request.requestId),
      })),
    );
    yield* untilAllProvisioned(
      context,
      copies.map((d) => d.copyId!),
      provisioningMs,
    );
  }
  const usable = (d: PreflightResult['disks'][number]) => d.copyId ?? d.snapshotId;
  const os = plan.disks.find((d) => d.role === 'os')!;
  return {
    osSnapshotId: usable(os),
    dataDisks: plan.disks
      .filter((d) => d.role === 'data')
      .map((d) => ({ lun: d.lun!, snapshotId: usable(d) })),
  } as VersionSource;
}

function* untilAllProvisioned(context: OrchestrationContext, ids: string[], deadlineMs: number) {
  let pending = ids;
  const deadline = nowMs(context) + deadlineMs;
  while (pending.length > 0) {
    if (nowMs(context) >= deadline) throw provisioningTimedOut('snapshot', pending, deadlineMs);
    yield* sleep(context, PROVISIONING_POLL_MS);
    const states = yield* steps<ProvisioningState>(
      context,
      ACTIVITIES.getProvisioning,
      pending.map((id) => ({ id })),
    );
    for (const s of states) {
      if (s.state === 'Failed' || s.state === 'NotFound') {
        throw new StepFailedError('snapshot', {
          kind: 'permanent',
          code: s.state === 'Failed' ? 'ProvisioningFailed' : 'NotFound',
          message: `${s.id} ${s.state === 'Failed' ? 'failed to provision' : 'disappeared'}${s.error ? ` (${s.error.code}: ${s.error.message})` : ''}`,
          target: s.id,
        });
      }
    }
    // A snapshot with a background copy (CopyStart, Premium SSD v2, Ultra) says Succeeded before its
    // data has arrived: it is usable only at completionPercent 100.
    pending = states
      .filter((s) => s.state !== 'Succeeded' || (s.completionPercent ?? 100) < 100)
      .map((s) => s.id);
  }
}

/** A provisioning wait past its deadline: permanent, naming what is still not provisioned. */
function provisioningTimedOut(stage: string, ids: string[], deadlineMs: number): StepFailedError {
  return new StepFailedError(stage, {
    kind: 'permanent',
    code: 'ProvisioningTimedOut',
    message: `${ids.join(', ')} did not finish provisioning within ${describeMs(deadlineMs)}; check it in the Azure portal (activity log) and submit the request again`,
    target: ids[0],
  });
}

/** Calls an "ensure" step until what it ensures has finished provisioning, at most until the deadline. */
function* untilProvisioned(
  context: OrchestrationContext,
  name: typeof ACTIVITIES.ensureGallery | typeof ACTIVITIES.ensureImageDefinition,
  input: unknown,
  deadlineMs: number,
) {
  const deadline = nowMs(context) + deadlineMs;
  for (;;) {
    const state = yield* step<ProvisioningState>(context, name, input);
    if (state.state === 'Succeeded') return;
    if (state.state === 'Failed')
      throw new StepFailedError(name, {
        kind: 'permanent',
        code: 'ProvisioningFailed',
        message: `${state.id} failed to provision`,
        target: state.id,
      });
    if (nowMs(context) >= deadline) throw provisioningTimedOut(name, [state.id], deadlineMs);
    yield* sleep(context, PROVISIONING_POLL_MS);
  }
}

/** One sub-orchestration per region, started together: each region's pools follow its own replication. */
function* rollOutRegions(
  context: OrchestrationContext,
  owner: { instanceId: string; execution: string },
  requestId: string,
  plan: PreflightResult,
  settings: PipelineInput['settings'],
  status: PipelineState,
  report: () => void,
): Generator<Task, RegionOutcome[], RegionOutcome[]> {
  const children = plan.targetRegions.map((region) => {
    const input: RegionRolloutInput = {
      requestId,
      ownerInstanceId: owner.instanceId,
      ownerExecution: owner.execution,
      versionId: plan.versionId,
      region: region.name,
      targetRegions: plan.targetRegions,
      pools: plan.pools.filter((p) => p.account.region === region.name),
      settings,
    };
    const childId = regionInstanceId(owner.instanceId, region.name, owner.execution);
    status.regionInstances.push(childId);
    return context.df.callSubOrchestrator(ORCHESTRATORS.regionRollout, input, childId);
  });
  report();
  return yield context.df.Task.all(children);
}

/** The definition whose ledger leases this build's version: the source version's own when rolling one out. */
function ledgerDefinitionOf(request: BuildRequest): string {
  return request.source.type === 'galleryImageVersion'
    ? request.source.id.replace(/\/versions\/[^/]+\/?$/i, '')
    : imageDefinitionId(request.image);
}

/** Leftovers of failed or terminated builds in a group this build uses; never fails the build. */
function* sweep(context: OrchestrationContext, resourceGroupId: string, instanceId: string) {
  try {
    yield* step(context, ACTIVITIES.sweepLeftovers, { resourceGroupId, instanceId });
  } catch {
    // Best effort: the next build sweeps again.
  }
}
