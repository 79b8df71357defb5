/**
 * Azure Resource Manager ids, parsed strictly. Everything the pipeline does is addressed by id, and a
 * typo in one should come back as a finding naming the bad segment, not as a 404 an hour later.
 */
export interface ResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. `Microsoft.Compute` */
  provider: string;
  /** Type path without the provider, e.g. `galleries/images/versions`. */
  types: string[];
  /** One name per type segment. */
  names: string[];
}

export type ParseResult = { ok: true; id: ResourceId } | { ok: false; reason: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Resource group names: letters, digits, underscores, hyphens, periods, parentheses; not ending in a period.
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const PROVIDER = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/;
const SEGMENT = /^[^/?#\s]+$/;

export function parseResourceId(value: string): ParseResult {
  if (typeof value !== 'string' || value.length === 0) return { ok: false, reason: 'it is empty' };
  if (!value.startsWith('/')) return { ok: false, reason: 'it must start with /subscriptions/' };
  const parts = value.replace(/\/+$/, '').split('/').slice(1);
  if (parts[0]?.toLowerCase() !== 'subscriptions' || !parts[1]) {
    return { ok: false, reason: 'it must start with /subscriptions/{subscriptionId}' };
  }
  if (!GUID.test(parts[1])) return { ok: false, reason: `subscription id "${parts[1]}" is not a GUID` };
  if (parts[2]?.toLowerCase() !== 'resourcegroups' || !parts[3]) {
    return { ok: false, reason: 'it needs /resourceGroups/{name} after the subscription' };
  }
  if (!RESOURCE_GROUP.test(parts[3]))
    return { ok: false, reason: `resource group name "${parts[3]}" is not valid` };
  if (parts[4]?.toLowerCase() !== 'providers' || !parts[5]) {
    return { ok: false, reason: 'it needs /providers/{namespace}/{type}/{name} after the resource group' };
  }
  if (!PROVIDER.test(parts[5])) return { ok: false, reason: `provider namespace "${parts[5]}" is not valid` };
  const rest = parts.slice(6);
  if (rest.length === 0 || rest.length % 2 !== 0) {
    return { ok: false, reason: 'the part after the provider must be {type}/{name} pairs' };
  }
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const [type, name] = [rest[i]!, rest[i + 1]!];
    if (!SEGMENT.test(type) || !SEGMENT.test(name)) {
      return { ok: false, reason: `segment "${type}/${name}" is empty or has invalid characters` };
    }
    types.push(type);
    names.push(name);
  }
  return {
    ok: true,
    id: { subscriptionId: parts[1], resourceGroup: parts[3], provider: parts[5], types, names },
  };
}

/** `Microsoft.Compute/galleries/images/versions` */
export function fullType(id: ResourceId): string {
  return [id.provider, ...id.types].join('/');
}

export function isOfType(id: ResourceId, expected: string): boolean {
  return fullType(id).toLowerCase() === expected.toLowerCase();
}

/** The last name: the resource's own name. */
export function resourceName(id: ResourceId): string {
  return id.names[id.names.length - 1]!;
}

export function formatResourceId(id: ResourceId): string {
  const pairs = id.types.flatMap((t, i) => [t, id.names[i]!]);
  return [
    '',
    'subscriptions',
    id.subscriptionId,
    'resourceGroups',
    id.resourceGroup,
    'providers',
    id.provider,
    ...pairs,
  ].join('/');
}

/** Parses an id that is already known to be valid (validated by the contract); throws otherwise. */
export function mustParse(value: string): ResourceId {
  const result = parseResourceId(value);
  if (!result.ok) throw new Error(`Invalid resource id ${value}: ${result.reason}`);
  return result.id;
}

export function resourceGroupId(id: ResourceId): string {
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}`;
}

/** ARM ids compare case-insensitively. */
export function sameResourceId(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

export const RESOURCE_TYPES = {
  virtualMachine: 'Microsoft.Compute/virtualMachines',
  snapshot: 'Microsoft.Compute/snapshots',
  disk: 'Microsoft.Compute/disks',
  managedImage: 'Microsoft.Compute/images',
  gallery: 'Microsoft.Compute/galleries',
  galleryImage: 'Microsoft.Compute/galleries/images',
  galleryImageVersion: 'Microsoft.Compute/galleries/images/versions',
  batchAccount: 'Microsoft.Batch/batchAccounts',
} as const;

export type ResourceKind = keyof typeof RESOURCE_TYPES;
