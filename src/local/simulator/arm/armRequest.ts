import type { World } from '../world';
import type { TimingOverrides } from '../timing';
import { ArmFailure } from './armErrors';
import { resourceIdOf, type ArmPath } from './armPath';

/** What the ARM handlers are told of the simulator they run in. */
export interface ArmOptions {
  origin: string;
  pageSize: number;
  timing: TimingOverrides;
  /** Real seconds to put in Retry-After of LRO answers. */
  retryAfterSeconds: () => string;
}

/** A nested resource needs its parents: ARM answers ParentResourceNotFound otherwise. */
export function requireParents(world: World, path: ArmPath): void {
  for (let depth = 1; depth < path.names.length; depth++) {
    const parentId = resourceIdOf(path, depth);
    if (!world.resource(parentId)) {
      throw new ArmFailure(
        404,
        'ParentResourceNotFound',
        `Can not perform requested operation on nested resource. Parent resource '${path.names.slice(0, depth).join('/')}' not found.`,
      );
    }
  }
}

/** The body of a PUT or PATCH, as ARM rejects what is not a JSON object. */
export function asObject(body: unknown): Record<string, any> {
  if (body === undefined)
    throw new ArmFailure(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: the body is empty.',
    );
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ArmFailure(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: expected a JSON object.',
    );
  }
  return body as Record<string, any>;
}
