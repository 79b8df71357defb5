import type { SimRequest } from '../http';
import type { ArmResource } from '../model';
import type { World } from '../world';
import type { ArmPath } from './armPath';
import type { TimingOverrides } from '../timing';

export interface KindContext {
  world: World;
  req: SimRequest;
  path: ArmPath;
  id: string;
  body: Record<string, any>;
  existing?: ArmResource;
  timing: TimingOverrides;
}

/** One ARM resource type the simulator serves. */
export interface ResourceKind {
  /** Canonical casing, e.g. Microsoft.Compute/galleries/images */
  type: string;
  /** Seeded by scenarios only (VMs, disks): PUT and DELETE are refused. */
  readOnly?: boolean;
  /** Create or update from a PUT body; throws ArmFailure on bad input. */
  put?(ctx: KindContext): ArmResource;
  patch?(ctx: KindContext & { existing: ArmResource }): ArmResource;
  /** Extra properties derived at read time (e.g. replicationStatus). */
  render?(resource: ArmResource, world: World, req: SimRequest): Record<string, unknown>;
  /** Throws when the resource cannot be deleted now (e.g. it has children). */
  beforeDelete?(resource: ArmResource, world: World): void;
  deleteMs?: number;
  /** Status code of a create: most are 201, snapshots 202. */
  createdStatus?: number;
}

/** provisioningState derived from the clock. */
export function provisioningState(resource: ArmResource, nowMs: number): string {
  if (resource.deletingAtSimMs !== undefined) return 'Deleting';
  if (resource.readyAtSimMs !== undefined && nowMs < resource.readyAtSimMs) {
    return resource.hidden?.updating ? 'Updating' : 'Creating';
  }
  if (resource.failure) return 'Failed';
  return 'Succeeded';
}

/** The common ARM envelope; `properties` carries kind-specific data and the derived provisioningState. */
export function renderResource(
  resource: ArmResource,
  kind: ResourceKind,
  world: World,
  req: SimRequest,
): Record<string, unknown> {
  return {
    id: resource.id,
    name: resource.name,
    type: kind.type,
    location: resource.location,
    ...(resource.tags ? { tags: resource.tags } : {}),
    ...(resource.extra ?? {}),
    properties: {
      ...resource.properties,
      ...(kind.render?.(resource, world, req) ?? {}),
      provisioningState: provisioningState(resource, world.now()),
    },
  };
}

export function newResource(
  ctx: KindContext,
  type: string,
  properties: Record<string, unknown>,
  readyInMs: number,
): ArmResource {
  const now = ctx.world.now();
  return {
    id: ctx.id,
    type: type.toLowerCase(),
    name: ctx.path.names.at(-1)!,
    location: normalizeLocation(String(ctx.body.location ?? ctx.existing?.location ?? '')),
    ...(ctx.body.tags ? { tags: ctx.body.tags as Record<string, string> } : {}),
    properties,
    createdAtSimMs: ctx.existing?.createdAtSimMs ?? now,
    readyAtSimMs: readyInMs > 0 ? now + readyInMs : undefined,
  };
}

/** `West Europe` → `westeurope`, as ARM stores locations. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

export function isReady(resource: ArmResource, nowMs: number): boolean {
  return provisioningState(resource, nowMs) === 'Succeeded';
}
