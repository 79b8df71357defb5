/** Azure region names as ARM returns them: `West Europe` and `westeurope` are the same region. */
export function normalizeRegion(value: string): string {
  return value.replace(/\s+/g, '').toLowerCase();
}

export const REGION_PATTERN = /^[a-z][a-z0-9]{2,40}$/;
