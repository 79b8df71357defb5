/** A request path under /subscriptions, split into the parts ARM routes on. Lenient: no GUID checks. */
export interface ArmPath {
  subscriptionId: string;
  resourceGroup?: string;
  provider?: string;
  types: string[];
  names: string[];
}

export function parseArmPath(segments: string[]): ArmPath | undefined {
  if (segments[0]?.toLowerCase() !== 'subscriptions' || !segments[1]) return undefined;
  const path: ArmPath = { subscriptionId: segments[1], types: [], names: [] };
  let i = 2;
  if (segments[i]?.toLowerCase() === 'resourcegroups') {
    if (!segments[i + 1]) return undefined;
    path.resourceGroup = segments[i + 1];
    i += 2;
  }
  if (segments[i]?.toLowerCase() === 'providers') {
    path.provider = segments[i + 1];
    i += 2;
  } else if (i < segments.length) return undefined;
  const rest = segments.slice(i);
  rest.forEach((part, index) => (index % 2 === 0 ? path.types : path.names).push(part));
  return path;
}

/** e.g. microsoft.compute/galleries/images/versions */
export function typeKey(path: ArmPath): string {
  return [path.provider ?? '', ...path.types].join('/').toLowerCase();
}

export function isCollection(path: ArmPath): boolean {
  return path.types.length === path.names.length + 1;
}

export function resourceIdOf(path: ArmPath, upTo = path.names.length): string {
  const pairs = path.types.slice(0, upTo).flatMap((t, i) => [t, path.names[i]!]);
  return [
    '',
    'subscriptions',
    path.subscriptionId,
    'resourceGroups',
    path.resourceGroup,
    'providers',
    path.provider,
    ...pairs,
  ].join('/');
}
