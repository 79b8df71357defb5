import { ArmFailure, invalidParameter } from './armErrors';
import type { World } from '../world';

/**
 * Rules Azure applies to a gallery image definition before creating it
 * (learn.microsoft.com/azure/virtual-machines/troubleshooting-shared-images, "Creating or modifying
 * image definitions"; GalleryRP spec `galleryImageName` pattern):
 * - the name: up to 80 letters, digits, underscores, hyphens and periods, not starting with an
 *   underscore nor ending with a hyphen or period;
 * - publisher (≤128), offer and sku (≤64): letters, digits, hyphen, period, underscore, not ending with
 *   a period;
 * - publisher/offer/sku unique within the gallery: a second definition with the same triplet is refused
 *   ("Gallery image: <name> identified by (publisher:…, offer:…, sku:…) already exists. Choose a
 *   different publisher, offer, sku combination.", 409 OperationNotAllowed).
 */
const DEFINITION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}(?<![-.])$/;
const ASSET = /^[A-Za-z0-9_.-]+(?<!\.)$/;
const ASSET_MAX = { publisher: 128, offer: 64, sku: 64 } as const;

export function checkImageDefinition(
  world: World,
  definitionId: string,
  name: string,
  identifier: Record<string, unknown> | undefined,
  isNew: boolean,
): void {
  if (!DEFINITION_NAME.test(name)) {
    throw invalidParameter(
      `The entity name '${name}' is invalid according to its validation rule: ^[^_\\W][\\w-._]{0,79}(?<![-.])$.`,
      'galleryImageName',
    );
  }
  for (const field of ['publisher', 'offer', 'sku'] as const) {
    const value = identifier?.[field];
    if (typeof value !== 'string' || !ASSET.test(value) || value.length > ASSET_MAX[field]) {
      throw invalidParameter(
        `Asset name galleryImage.properties.identifier.${field} is not valid. It cannot be empty. Allowed characters are uppercase or lowercase letters, digits, hyphen(-), period (.), underscore (_). Names are not allowed to end with period(.). The length of the name cannot exceed ${ASSET_MAX[field]} characters.`,
        `properties.identifier.${field}`,
      );
    }
  }
  if (!isNew || !identifier) return;
  const galleryId = definitionId.split('/').slice(0, -2).join('/');
  const same = (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase();
  const taken = world.children(galleryId, 'images').find((d) => {
    const other = d.properties.identifier as Record<string, unknown> | undefined;
    return (
      d.name.toLowerCase() !== name.toLowerCase() &&
      same(other?.publisher, identifier.publisher) &&
      same(other?.offer, identifier.offer) &&
      same(other?.sku, identifier.sku)
    );
  });
  if (taken) {
    throw new ArmFailure(
      409,
      'OperationNotAllowed',
      `Gallery image: ${taken.name} identified by (publisher:${String(identifier.publisher)}, offer:${String(identifier.offer)}, sku:${String(identifier.sku)}) already exists. Choose a different publisher, offer, sku combination.`,
      'properties.identifier',
    );
  }
}
