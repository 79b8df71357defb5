import { finding, type Finding } from '../findings';
import type { BuildRequest } from '../buildRequest';
import { mustParse, resourceName } from '../resourceId';
import { parseVersion } from '../version';

/**
 * Azure's character rules for the names that identify an image, checked before anything is created so
 * a build does not fail half-way at the gallery:
 * - gallery name: up to 80 letters, digits, underscores and periods, letter or digit at both ends — no
 *   hyphens (learn.microsoft.com/azure/virtual-machines/troubleshooting-shared-images, "Creating or
 *   modifying a gallery": "All other special characters, including dashes, are disallowed" — stricter than
 *   the REST spec's `galleryName` pattern, which would let hyphens through);
 * - version: Major.Minor.Patch, each a 32-bit integer ("The image version name should follow
 *   Major(int).Minor(int).Patch(int) format");
 * - publisher (≤128), offer and sku (≤64): letters, digits, hyphens, periods, underscores, not ending
 *   with a period ("Asset name galleryImage.properties.identifier.<property> is not valid …").
 * The definition name's rule is part of the request schema.
 */
const GALLERY_NAME = /^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$/;
const ASSET = /^[A-Za-z0-9_.-]+$/;
const ASSET_MAX = { publisher: 128, offer: 64, sku: 64 } as const;

export function checkImageNames(image: BuildRequest['image']): Finding[] {
  const findings: Finding[] = [];
  const galleryName = resourceName(mustParse(image.galleryId));
  if (!GALLERY_NAME.test(galleryName)) {
    findings.push(
      finding(
        'IMAGE_NAME_INVALID',
        'image.galleryId',
        `The gallery name "${galleryName}" is not valid in Azure: use 1-80 English letters, digits, underscores and periods, starting and ending with a letter or digit (no hyphens), e.g. "${galleryName.replace(/[^A-Za-z0-9._]/g, '_').replace(/^[._]+|[._]+$/g, '') || 'galImages'}".`,
      ),
    );
  }
  if (image.version !== 'auto' && !parseVersion(image.version)) {
    findings.push(
      finding(
        'IMAGE_NAME_INVALID',
        'image.version',
        `The version "${image.version}" is not valid in Azure: each of major.minor.patch must be a 32-bit integer (at most 2147483647); choose smaller numbers, or "auto".`,
      ),
    );
  }
  for (const field of ['publisher', 'offer', 'sku'] as const) {
    const value = image.identifier[field];
    const problems: string[] = [];
    if (!ASSET.test(value))
      problems.push('use only English letters, digits, hyphens, periods and underscores');
    if (value.endsWith('.')) problems.push('do not end it with a period');
    if (value.length > ASSET_MAX[field]) problems.push(`keep it to ${ASSET_MAX[field]} characters`);
    if (problems.length > 0) {
      findings.push(
        finding(
          'IMAGE_IDENTIFIER_INVALID',
          `image.identifier.${field}`,
          `image.identifier.${field} "${value}" is not valid in Azure: ${problems.join('; ')}.`,
        ),
      );
    }
  }
  return findings;
}
