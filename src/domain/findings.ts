/**
 * A finding is one thing wrong (or worth knowing) about a build request. Codes are stable: tools and
 * tests match on them, so add new ones rather than renaming.
 */
export type Severity = 'error' | 'warning';

export const FINDING_CODES = {
  // The request's shape (schema validation).
  FIELD_REQUIRED: 'error',
  FIELD_INVALID: 'error',
  FIELD_UNKNOWN: 'error',
  REQUEST_NOT_JSON: 'error',
  RESOURCE_ID_INVALID: 'error',
  RESOURCE_ID_WRONG_TYPE: 'error',
  // Replication planning.
  NO_TARGET_REGIONS: 'error',
  REPLICA_LIMIT_EXCEEDED: 'error',
  REPLICA_HEADROOM_CAPPED: 'warning',
  // Pools.
  POOL_ID_INVALID: 'error',
  POOL_ID_DUPLICATE: 'error',
  POOL_REPLACES_ITSELF: 'error',
  POOL_REPLACES_REQUEST_POOL: 'error',
  POOL_REPLACES_SHARED: 'error',
  HEALTH_SETTLE_EXCEEDS_TIMEOUT: 'error',
  POOL_HAS_NO_NODES: 'warning',
  ACCOUNT_ENDPOINT_MISMATCH: 'error',
  ACCOUNT_REGION_CONFLICT: 'error',
  RESIZE_TIMEOUT_INVALID: 'error',
  RESIZE_TIMEOUT_TOO_SHORT: 'error',
  RESIZE_TIMEOUT_BELOW_BATCH_MINIMUM: 'error',
  NODE_AGENT_SKU_INVALID: 'error',
  NODE_AGENT_SKU_OS_MISMATCH: 'error',
  NODE_AGENT_SKU_UNKNOWN: 'error',
  NODE_AGENT_SKU_UNVERIFIED: 'warning',
  NODE_AGENT_SKU_END_OF_LIFE: 'warning',
  // A pool's template: Batch management API pool properties, checked against the REST spec.
  POOL_TEMPLATE_UNKNOWN_PROPERTY: 'error',
  POOL_TEMPLATE_WRONG_TYPE: 'error',
  POOL_TEMPLATE_BAD_ENUM: 'error',
  POOL_TEMPLATE_READ_ONLY: 'error',
  POOL_TEMPLATE_MISSING_REQUIRED: 'error',
  POOL_TEMPLATE_OWNED_FIELD: 'error',
  POOL_TEMPLATE_DUPLICATE_FIELD: 'error',
  POOL_TEMPLATE_SECURITY_PROFILE: 'error',
  POOL_AUTOSCALE_MAX_NODES_REQUIRED: 'error',
  POOL_AUTOSCALE_INTERVAL_INVALID: 'error',
  POOL_SCALE_SETTINGS_CONFLICT: 'error',
  BATCH_CLASSIC_NODE_COMMUNICATION: 'error',
  // #12 (tmpl2): template rules a hostile tester found missing.
  POOL_TEMPLATE_EMPTY_REQUIRED: 'error',
  POOL_TEMPLATE_RESERVED_METADATA: 'error',
  BATCH_POOL_CERTIFICATES_RETIRED: 'error',
  POOL_AUTOSCALE_ABOVE_MAX_NODES: 'warning',
  REQUEST_TOO_LARGE: 'error',
  // The source, from facts gathered at preflight.
  SOURCE_NOT_GENERALIZED: 'error',
  SOURCE_OS_TYPE_MISMATCH: 'error',
  SOURCE_HYPERV_GENERATION_MISMATCH: 'error',
  OS_DISK_ENCRYPTED: 'error',
  VM_EXTENSIONS_INSTALLED: 'error',
  UNMANAGED_DISKS: 'error',
  PURCHASE_PLAN_PRESENT: 'error',
  SOURCE_NOT_FOUND: 'error',
  DISK_SKU_NOT_SUPPORTED: 'error',
  IMAGE_VERSION_EXISTS: 'error',
  // Security type and architecture, source → definition → pool (src/domain/planning/securityType.ts).
  SECURITY_TYPE_REQUIRES_GEN2: 'error',
  ARM64_REQUIRES_GEN2: 'error',
  DEFINITION_SECURITY_TYPE_MISMATCH: 'error',
  DEFINITION_SOURCE_NOT_SUPPORTED: 'error',
  DEFINITION_ARCHITECTURE_MISMATCH: 'error',
  BATCH_CONFIDENTIAL_VM_UNSUPPORTED: 'error',
  POOL_VM_SIZE_ARCHITECTURE_MISMATCH: 'error',
  POOL_NODE_AGENT_ARCHITECTURE_MISMATCH: 'error',
  POOL_ARCHITECTURES_DIFFER: 'error',
  POOL_SECURITY_PROFILE_MISMATCH: 'error',
  // Names and identity of the image, against Azure's rules and the gallery's existing definitions.
  IMAGE_NAME_INVALID: 'error',
  IMAGE_IDENTIFIER_INVALID: 'error',
  IMAGE_IDENTIFIER_TAKEN: 'error',
  IMAGE_DEFINITION_IDENTIFIER_MISMATCH: 'error',
  // Where things live.
  CROSS_SUBSCRIPTION_GALLERY: 'warning',
  BATCH_PROVIDER_STATE_UNKNOWN: 'warning',
  SOURCE_REGION_MISMATCH: 'error',
  BATCH_PROVIDER_NOT_REGISTERED: 'error',
  CROSS_TENANT: 'error',
  GALLERY_LOCATION_UNKNOWN: 'error',
  // Capacity during cutover (src/domain/cutover/capacity.ts), from the accounts' core quotas.
  CUTOVER_QUOTA_INSUFFICIENT: 'error',
  CUTOVER_IN_PLACE_NOT_ALLOWED: 'error',
  CUTOVER_POOL_QUOTA_INSUFFICIENT: 'error',
  CUTOVER_POOL_BUSY: 'error',
  // Cutover waves (src/domain/cutover/waves.ts).
  WAVE_REGION_MISSING: 'error',
  WAVE_REGION_DUPLICATE: 'error',
  WAVE_REGION_UNKNOWN: 'error',
} as const satisfies Record<string, Severity>;

export type FindingCode = keyof typeof FINDING_CODES;

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** JSON path into the request, e.g. `pools[0].resizeTimeout`; `` for the whole request. */
  path: string;
  /** What is wrong and what to do about it. */
  message: string;
}

/** A finding with the catalogue's default severity; pass one to override (e.g. end-of-life already passed). */
export function finding(code: FindingCode, path: string, message: string, severity?: Severity): Finding {
  return { code, severity: severity ?? FINDING_CODES[code], path, message };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Renders a zod-style path (`['pools', 0, 'poolId']`) as `pools[0].poolId`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${part}` : part;
  }, '');
}
