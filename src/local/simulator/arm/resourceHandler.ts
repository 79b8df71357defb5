import { json, type SimRequest, type SimResponse } from '../http';
import type { ArmResource, Operation } from '../model';
import type { World } from '../world';
import { takeFault } from '../faults';
import { ArmFailure, notFound } from './armErrors';
import { resourceIdOf, type ArmPath } from './armPath';
import { asObject, requireParents, type ArmOptions } from './armRequest';
import { renderResource, type KindContext, type ResourceKind } from './kinds';
import { operationUrls } from './operations';

/** One request on one ARM resource: a method per verb, as ARM answers them. */
export class ArmResourceHandler {
  private readonly id: string;
  private readonly existing: ArmResource | undefined;

  constructor(
    private readonly world: World,
    private readonly req: SimRequest,
    private readonly path: ArmPath,
    private readonly kind: ResourceKind,
    private readonly options: ArmOptions,
  ) {
    this.id = resourceIdOf(path);
    this.existing = world.resource(this.id);
  }

  serve(): SimResponse {
    switch (this.req.method) {
      case 'GET':
        return json(200, this.render(this.found()));
      case 'PUT':
        return this.put();
      case 'PATCH':
        return this.patch();
      case 'DELETE':
        return this.delete();
      default:
        throw new ArmFailure(405, 'MethodNotAllowed', `${this.req.method} is not supported.`);
    }
  }

  private put(): SimResponse {
    const { kind, existing, world } = this;
    if (kind.readOnly || !kind.put)
      throw new ArmFailure(
        405,
        'MethodNotAllowed',
        `${kind.type} is read-only in this simulator (seed it from a scenario).`,
      );
    requireParents(world, this.path);
    if (existing?.deletingAtSimMs !== undefined)
      throw new ArmFailure(409, 'Conflict', `${kind.type} '${existing.name}' is being deleted.`);
    const resource = kind.put(this.context());
    const op = this.startOperation('put', resource);
    world.put(resource);
    world.changed();
    const status = existing ? 200 : (kind.createdStatus ?? 201);
    return json(status, this.render(resource), this.lroHeaders(op));
  }

  private patch(): SimResponse {
    const existing = this.found();
    if (!this.kind.patch)
      throw new ArmFailure(405, 'MethodNotAllowed', `PATCH is not supported for ${this.kind.type} here.`);
    const resource = this.kind.patch({ ...this.context(), existing });
    const op = this.startOperation('patch', resource);
    this.world.put(resource);
    this.world.changed();
    return json(200, this.render(resource), this.lroHeaders(op));
  }

  private delete(): SimResponse {
    const { kind, existing, world } = this;
    if (kind.readOnly)
      throw new ArmFailure(405, 'MethodNotAllowed', `${kind.type} is read-only in this simulator.`);
    if (!existing) return json(204);
    kind.beforeDelete?.(existing, world);
    if (existing.deletingAtSimMs === undefined)
      existing.deletingAtSimMs = world.now() + (kind.deleteMs ?? 60_000);
    const op: Operation = {
      id: world.nextId('0e7a0000'),
      subscriptionId: this.path.subscriptionId,
      location: existing.location,
      kind: 'delete',
      resourceId: existing.id,
      startedAtSimMs: world.now(),
      endsAtSimMs: existing.deletingAtSimMs,
    };
    world.state.operations[op.id] = op;
    world.changed();
    const urls = operationUrls(this.options.origin, op);
    return json(202, undefined, {
      'Azure-AsyncOperation': urls.asyncOperation,
      Location: urls.location,
      'Retry-After': this.options.retryAfterSeconds(),
    });
  }

  private found(): ArmResource {
    if (!this.existing) throw notFound(this.kind.type, this.path.names.join('/'), this.path.resourceGroup!);
    return this.existing;
  }

  private context(): KindContext {
    const { world, req, path, id, existing } = this;
    return { world, req, path, id, body: asObject(req.body), existing, timing: this.options.timing };
  }

  private render(resource: ArmResource): unknown {
    return renderResource(resource, this.kind, this.world, this.req);
  }

  /** A PUT or PATCH whose resource is still provisioning gets an operation to poll (which a fault may fail). */
  private startOperation(kind: Operation['kind'], resource: ArmResource): Operation | undefined {
    const { world } = this;
    if (resource.readyAtSimMs === undefined || resource.readyAtSimMs <= world.now()) return undefined;
    const fault = takeFault(world.state.faults, ['lroFail'], {
      path: resource.id,
      method: kind === 'patch' ? 'PATCH' : 'PUT',
    });
    if (fault) {
      resource.failure = {
        code: fault.code ?? 'InternalOperationError',
        message:
          fault.message ?? `The operation on ${resource.name} failed (injected fault). Retry the request.`,
      };
    }
    const op: Operation = {
      id: world.nextId('0a5c0000'),
      subscriptionId: this.path.subscriptionId,
      location: resource.location,
      kind,
      resourceId: resource.id,
      startedAtSimMs: world.now(),
    };
    world.state.operations[op.id] = op;
    return op;
  }

  private lroHeaders(op: Operation | undefined): Record<string, string> {
    if (!op) return {};
    const urls = operationUrls(this.options.origin, op);
    return { 'Azure-AsyncOperation': urls.asyncOperation, 'Retry-After': this.options.retryAfterSeconds() };
  }
}
