import type { Services } from './services';
import type {
  ImageDefinitionSpec,
  ProvisioningState,
  RegionUpdate,
  TargetRegionSpec,
  VersionReplication,
  VersionSource,
} from '../ports';
import { VersionBusyError } from '../ports/gallery';

/** Thin steps over the Compute and Gallery ports: each starts or reads one thing, never waits. */

export const beginSnapshot = (
  s: Services,
  input: { snapshotId: string; location: string; diskId: string; tags: Record<string, string> },
): Promise<ProvisioningState> =>
  s.compute.beginSnapshot({
    id: input.snapshotId,
    location: input.location,
    sourceId: input.diskId,
    tags: input.tags,
  });

/** Starts copying an incremental snapshot into the gallery's region (CopyStart); poll getProvisioning. */
export const beginSnapshotCopy = (
  s: Services,
  input: { copyId: string; location: string; sourceSnapshotId: string; tags: Record<string, string> },
): Promise<ProvisioningState> =>
  s.compute.beginSnapshotCopy({
    id: input.copyId,
    location: input.location,
    sourceSnapshotId: input.sourceSnapshotId,
    tags: input.tags,
  });

export const getProvisioning = (s: Services, input: { id: string }): Promise<ProvisioningState> =>
  s.compute.getProvisioning(input.id);

export const ensureGallery = (
  s: Services,
  input: { galleryId: string; location: string },
): Promise<ProvisioningState> => s.gallery.ensureGallery(input.galleryId, input.location);

export const ensureImageDefinition = (s: Services, input: ImageDefinitionSpec): Promise<ProvisioningState> =>
  s.gallery.ensureImageDefinition(input);

export const createImageVersion = (
  s: Services,
  input: {
    versionId: string;
    location: string;
    source: VersionSource;
    targetRegions: TargetRegionSpec[];
    excludeFromLatest: boolean;
    endOfLifeDate?: string;
    tags: Record<string, string>;
  },
): Promise<ProvisioningState> =>
  s.gallery.beginImageVersion({
    id: input.versionId,
    location: input.location,
    source: input.source,
    targetRegions: input.targetRegions,
    excludeFromLatest: input.excludeFromLatest,
    endOfLifeDate: input.endOfLifeDate,
    tags: input.tags,
  });

export const getReplication = (s: Services, input: { versionId: string }): Promise<VersionReplication> =>
  s.gallery.getReplication(input.versionId);

/**
 * Sets the version's target regions: adds regions and raises replica counts, and re-requests replication
 * (a PATCH of the same target regions restarts only the regions that failed).
 * A version still Creating or Updating takes no write; that comes back as "not applied" so the
 * orchestrator waits on a durable timer and asks again (the activity itself never waits).
 */
export async function updateTargetRegions(
  s: Services,
  input: { versionId: string; targetRegions: TargetRegionSpec[] },
): Promise<RegionUpdate> {
  try {
    await s.gallery.updateTargetRegions(input.versionId, input.targetRegions);
    return { applied: true };
  } catch (error) {
    if (error instanceof VersionBusyError) return { applied: false, reason: error.message };
    throw error;
  }
}

export async function deleteIntermediates(
  s: Services,
  input: { ids: string[] },
): Promise<{ deleted: string[] }> {
  for (const id of input.ids) await s.compute.beginDelete(id);
  return { deleted: input.ids };
}
