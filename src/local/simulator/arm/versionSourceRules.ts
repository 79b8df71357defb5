import { ArmFailure } from './armErrors';
import { normalizeLocation } from './kinds';
import { backgroundCopyPercent, BACKGROUND_COPY_SKUS, originDiskSku } from './snapshotRules';

const GALLERY_UNSUPPORTED_SKUS: readonly string[] = BACKGROUND_COPY_SKUS;
import type { World } from '../world';

/**
 * The source of a new gallery image version (managed image, snapshots, disks, VM or another version)
 * must exist in the version's own region. Azure answers a source elsewhere exactly as a missing one:
 * "Source <id> is not found. Please check source exists, and is in the same region as gallery image
 * version being created." (learn.microsoft.com/azure/virtual-machines/troubleshooting-shared-images,
 * "Creating or updating image versions").
 */
export function requireVersionSourcesInRegion(
  world: World,
  storage: Record<string, any>,
  versionLocation: string,
): void {
  const location = normalizeLocation(versionLocation);
  const ids: [string, string][] = [];
  if (storage.source?.id) ids.push([storage.source.id, 'properties.storageProfile.source.id']);
  if (storage.osDiskImage?.source?.id)
    ids.push([storage.osDiskImage.source.id, 'properties.storageProfile.osDiskImage.source.id']);
  ((storage.dataDiskImages ?? []) as Record<string, any>[]).forEach((d, i) => {
    if (d.source?.id) ids.push([d.source.id, `properties.storageProfile.dataDiskImages[${i}].source.id`]);
  });
  const now = world.now();
  for (const [id, target] of ids) {
    const source = world.resource(id);
    if (!source || normalizeLocation(source.location) !== location) {
      throw new ArmFailure(
        404,
        'NotFound',
        `Source ${id} is not found. Please check source exists, and is in the same region as gallery image version being created.`,
        target,
      );
    }
    // "Ultra Disks can't be used with Azure Compute Gallery", "Premium SSD v2 disks can't be used as an
    // OS disk or with Azure Compute Gallery" (learn.microsoft.com/azure/virtual-machines/disks-types,
    // Ultra Disk and Premium SSD v2 limitations): a version from their snapshots is refused.
    const origin = originDiskSku(source);
    if (origin && GALLERY_UNSUPPORTED_SKUS.includes(origin)) {
      throw new ArmFailure(
        400,
        'InvalidParameter',
        `Source ${id} comes from a ${origin} disk; Premium SSD v2 and Ultra Disks can't be used with Azure Compute Gallery.`,
        target,
      );
    }
    // A snapshot whose background copy (CopyStart, Premium SSD v2, Ultra) has not finished holds no
    // usable data yet; the disks docs require completionPercent 100 before any use.
    const percent = backgroundCopyPercent(source, now);
    if (percent !== undefined && percent < 100) {
      throw new ArmFailure(
        409,
        'Conflict',
        `Source ${id} is not ready: its background copy is at ${percent}% (completionPercent must be 100).`,
        target,
      );
    }
  }
}
