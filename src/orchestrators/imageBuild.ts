import type { OrchestrationContext } from 'durable-functions';
import { EVENT_TYPES } from '../domain/events';
import {
  ownershipTags,
  SOURCE_TAG,
  sourceFingerprint,
  waitDeadlines,
  type PreflightResult,
} from '../domain/pipeline';
import type { VersionSource } from '../ports';
import { activities, publish } from './steps';
import { untilAllProvisioned, untilProvisioned } from './provisioningWaits';
import type { PipelineRun } from './pipelineRun';

/**
 * A new image version from the request's source: snapshots of the VM's disks (copied into the gallery's
 * region when the VM is elsewhere) or the snapshots / managed image it names; then the gallery, the
 * definition and the version, announced as Image.Published.
 */
export function* buildImageVersion(context: OrchestrationContext, run: PipelineRun, plan: PreflightResult) {
  const { request } = run;
  const { provisioningMs } = waitDeadlines(run.settings);
  const source = yield* captureSource(context, run, plan);
  run.showStatus('gallery');
  const location = plan.galleryLocation;
  const gallery = { galleryId: request.image.galleryId, location };
  yield* untilProvisioned(
    context,
    'ensureGallery',
    () => activities(context).ensureGallery(gallery),
    provisioningMs,
  );
  const { osType, hyperVGeneration, identifier, description } = request.image;
  const definition = {
    id: plan.definitionId,
    location,
    osType,
    hyperVGeneration,
    identifier,
    description,
    securityType: plan.image?.definitionSecurityType,
    architecture: plan.image?.architecture,
    // A VM or snapshots source is copied from disks, which a "…Supported" definition does not take.
    fromDisks: request.source.type === 'virtualMachine' || request.source.type === 'snapshots',
  };
  yield* untilProvisioned(
    context,
    'ensureImageDefinition',
    () => activities(context).ensureImageDefinition(definition),
    provisioningMs,
  );
  run.showStatus('version');
  yield* activities(context).createImageVersion({
    versionId: plan.versionId,
    location,
    source,
    targetRegions: plan.targetRegions,
    excludeFromLatest: request.replication.excludeFromLatest,
    endOfLifeDate: request.image.endOfLifeDate,
    tags: {
      ...ownershipTags(run.instanceId, request.requestId),
      [SOURCE_TAG]: sourceFingerprint(request.source),
    },
  });
  yield* publish(context, run.publisher, [
    {
      type: EVENT_TYPES.imagePublished,
      subject: plan.versionId,
      data: {
        instanceId: run.instanceId,
        requestId: request.requestId,
        imageVersionId: plan.versionId,
        version: plan.version,
        sourceType: request.source.type,
        targetRegions: run.status.regions.map(({ name, replicaCount }) => ({ name, replicaCount })),
      },
    },
  ]);
}

/** Snapshots of the VM's disks (all at once), or the snapshots/image the request names. */
function* captureSource(context: OrchestrationContext, run: PipelineRun, plan: PreflightResult) {
  const source = run.request.source;
  if (source.type === 'managedImage') return { managedImageId: source.id } satisfies VersionSource;
  if (source.type === 'snapshots') {
    const dataDisks = source.dataDisks.map((d) => ({ lun: d.lun, snapshotId: d.id }));
    return { osSnapshotId: source.osDisk, dataDisks } satisfies VersionSource;
  }
  run.showStatus('snapshot');
  const { provisioningMs } = waitDeadlines(run.settings);
  const tags = ownershipTags(run.instanceId, run.request.requestId);
  const snapshots = plan.disks.map((d) => ({
    snapshotId: d.snapshotId,
    location: plan.sourceLocation,
    diskId: d.diskId,
    tags,
  }));
  yield* activities(context).beginSnapshot.each(snapshots);
  yield* untilAllProvisioned(
    context,
    snapshots.map((s) => s.snapshotId),
    provisioningMs,
  );
  // A version is built only from sources in its own region: copy the snapshots into the gallery's.
  const copies = plan.disks.flatMap((d) =>
    d.copyId
      ? [{ copyId: d.copyId, location: plan.galleryLocation, sourceSnapshotId: d.snapshotId, tags }]
      : [],
  );
  if (copies.length > 0) {
    yield* activities(context).beginSnapshotCopy.each(copies);
    yield* untilAllProvisioned(
      context,
      copies.map((c) => c.copyId),
      provisioningMs,
    );
  }
  const usable = (d: PreflightResult['disks'][number]) => d.copyId ?? d.snapshotId;
  const os = plan.disks.find((d) => d.role === 'os')!;
  const dataDisks = plan.disks
    .filter((d) => d.role === 'data')
    .map((d) => ({ lun: d.lun!, snapshotId: usable(d) }));
  return { osSnapshotId: usable(os), dataDisks } satisfies VersionSource;
}
