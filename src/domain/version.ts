import { PermanentError } from './errors';

/** Gallery image versions are `major.minor.patch`, each a 32-bit integer. */
export const VERSION_PATTERN = /^(0|[1-9]\d{0,9})\.(0|[1-9]\d{0,9})\.(0|[1-9]\d{0,9})$/;
const INT32_MAX = 2_147_483_647;

export type VersionTriple = [number, number, number];

export function parseVersion(value: string): VersionTriple | undefined {
  const m = VERSION_PATTERN.exec(value);
  if (!m) return undefined;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])] as VersionTriple;
  return parts.every((p) => p <= INT32_MAX) ? parts : undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a) ?? [0, 0, 0];
  const pb = parseVersion(b) ?? [0, 0, 0];
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/** The newest version name there can be: every part at the 32-bit maximum. */
export const LAST_VERSION = `${INT32_MAX}.${INT32_MAX}.${INT32_MAX}`;

/** No version is left after the newest one ("auto" has used the whole range): permanent. */
export class VersionRangeExhaustedError extends PermanentError {
  constructor(readonly newest: string) {
    super(
      `No image version is left after ${newest}: each part of a version is a 32-bit integer (at most ${INT32_MAX}). Name an unused lower version explicitly, or delete versions and use a new image definition.`,
      'VersionRangeExhausted',
      'image.version',
    );
  }
}

/**
 * `"auto"` resolves to the next patch after the newest existing version, or 1.0.0 for the first. A
 * patch at the 32-bit maximum carries into the minor (then the major), as GalleryRP refuses any part
 * over it; past the last version it throws VersionRangeExhaustedError.
 */
export function nextPatchVersion(existing: readonly string[]): string {
  const valid = existing.filter((v) => parseVersion(v));
  if (valid.length === 0) return '1.0.0';
  const newest = [...valid].sort(compareVersions).at(-1)!;
  const [major, minor, patch] = parseVersion(newest)!;
  if (patch < INT32_MAX) return `${major}.${minor}.${patch + 1}`;
  if (minor < INT32_MAX) return `${major}.${minor + 1}.0`;
  if (major < INT32_MAX) return `${major + 1}.0.0`;
  throw new VersionRangeExhaustedError(newest);
}

/** Newest first. */
export function sortVersionsDescending(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => compareVersions(b, a));
}
