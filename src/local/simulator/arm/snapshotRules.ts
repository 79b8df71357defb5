import { ArmFailure, invalidParameter } from './armErrors';
import { normalizeLocation } from './kinds';
import type { ArmResource } from '../model';

/**
 * DiskRP's rules for what a snapshot may be made from, and the background copy some snapshots carry.
 *
 * - CopyStart copies an incremental snapshot into another region; it takes only an incremental snapshot
 *   as source and makes an incremental snapshot ("Copy an incremental snapshot to a new region",
 *   learn.microsoft.com/azure/virtual-machines/disks-copy-incremental-snapshot-across-regions; REST
 *   example DiskRP/stable/2025-01-02/examples/snapshotExamples/Snapshot_Create_FromAnExistingSnapshotInDifferentRegion.json).
 * - Premium SSD v2 and Ultra disks take incremental snapshots only, and those snapshots cannot be used
 *   until their background copy is done ("Check snapshot status", disks-incremental-snapshots).
 * - The copy's progress is `properties.completionPercent`; the snapshot's provisioningState says
 *   Succeeded before the data has arrived, so only 100 % means usable.
 */
const MINUTE = 60_000;

/** Disk SKUs whose snapshots must be incremental and copy in the background. */
export const BACKGROUND_COPY_SKUS = ['PremiumV2_LRS', 'UltraSSD_LRS'] as const;

/** Copy time on the virtual clock: a fixed start-up plus the data (cross-region copies are slower). */
const COPY_TIMING = {
  crossRegionMs: (sizeGb: number) => 10 * MINUTE + sizeGb * 3_000,
  backgroundFromDiskMs: (sizeGb: number) => 5 * MINUTE + sizeGb * 1_500,
};

interface BackgroundCopy {
  startedAtSimMs: number;
  durationMs: number;
}

function skuOf(resource: ArmResource): string | undefined {
  return (resource.extra?.sku as { name?: string } | undefined)?.name;
}

/** The SKU of the disk a snapshot (or a copy of one) was taken from, kept for the version's rules. */
export function originDiskSku(source: ArmResource): string | undefined {
  if (source.type === 'microsoft.compute/disks') return skuOf(source);
  return source.hidden?.originDiskSku as string | undefined;
}

/**
 * Checks a new snapshot against its source and says whether it carries a background copy.
 * Throws ArmFailure for what Azure refuses.
 */
export function snapshotBackgroundCopy(
  source: ArmResource,
  body: Record<string, any>,
  location: string,
  nowMs: number,
): BackgroundCopy | undefined {
  const creation = (body.properties?.creationData ?? {}) as Record<string, unknown>;
  const incremental = body.properties?.incremental === true;
  const sizeGb = Number(source.properties.diskSizeGB ?? 30);
  if (creation.createOption === 'CopyStart') {
    if (source.type !== 'microsoft.compute/snapshots' || source.properties.incremental !== true) {
      throw invalidParameter(
        `CopyStart is only supported for creating an incremental snapshot from an incremental snapshot; ${source.id} is not an incremental snapshot.`,
        'properties.creationData.sourceResourceId',
      );
    }
    if (!incremental) {
      throw invalidParameter(
        'CopyStart is only supported for creating an incremental snapshot: set properties.incremental to true.',
        'properties.incremental',
      );
    }
    if (normalizeLocation(source.location) === normalizeLocation(location)) {
      throw invalidParameter(
        `CopyStart copies a snapshot to another region, but the source ${source.id} is already in '${location}'; use createOption Copy instead.`,
        'properties.creationData.createOption',
      );
    }
    const unfinished = backgroundCopyPercent(source, nowMs);
    if (unfinished !== undefined && unfinished < 100) {
      throw new ArmFailure(
        409,
        'Conflict',
        `The source snapshot ${source.id} is still being copied (${unfinished}%); wait until its completionPercent is 100.`,
        'properties.creationData.sourceResourceId',
      );
    }
    return { startedAtSimMs: nowMs, durationMs: COPY_TIMING.crossRegionMs(sizeGb) };
  }
  const sku = skuOf(source);
  if (source.type === 'microsoft.compute/disks' && sku && BACKGROUND_COPY_SKUS.includes(sku as never)) {
    if (!incremental) {
      throw invalidParameter(
        `Disk ${source.id} has SKU ${sku}: only incremental snapshots are supported for Premium SSD v2 and Ultra disks. Set properties.incremental to true.`,
        'properties.incremental',
      );
    }
    return { startedAtSimMs: nowMs, durationMs: COPY_TIMING.backgroundFromDiskMs(sizeGb) };
  }
  return undefined;
}

/** completionPercent of a snapshot with a background copy; undefined when it never had one. */
export function backgroundCopyPercent(resource: ArmResource, nowMs: number): number | undefined {
  const copy = resource.hidden?.backgroundCopy as BackgroundCopy | undefined;
  if (!copy) return undefined;
  if (nowMs >= copy.startedAtSimMs + copy.durationMs) return 100;
  return Math.max(0, Math.floor((100 * (nowMs - copy.startedAtSimMs)) / copy.durationMs));
}
