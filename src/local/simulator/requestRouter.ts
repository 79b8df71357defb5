import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadJsonError, readRequest, writeResponse, type SimRequest, type SimResponse } from './http';
import { REQUEST_FAULTS, takeFault, type FaultRule } from './faults';
import { faultResponse } from './faultResponse';
import { principalOf } from './principal';
import { serveArm } from './arm/armService';
import { armError } from './arm/armErrors';
import type { ArmOptions } from './arm/armRequest';
import { serveBatch } from './batch/batchService';
import type { ArmThrottle } from './armThrottle';
import type { ControlRoutes } from './controlRoutes';
import type { Endpoints } from './endpoints';
import type { RequestRecorder } from './recorder';
import type { SimulatedEventGrid } from './eventGrid';
import type { World } from './world';

/** Which service a request is for, and what the record and the throttle need to know of it. */
interface Call {
  service: 'arm' | 'batch' | 'control';
  /** The Batch account, for Batch calls. */
  account: string;
  /** The Batch path below the account. */
  batchPath: string[];
  kind: 'read' | 'write';
  principal: string;
}

interface RouterParts {
  world: World;
  recorder: RequestRecorder;
  eventGrid: SimulatedEventGrid;
  throttle: ArmThrottle;
  control: ControlRoutes;
  endpoints: Endpoints;
  armOptions: ArmOptions;
}

/**
 * One HTTP request from arrival to answer: read it, tell the service, record it, let an injected
 * fault answer instead, else the service (ARM behind its throttle, or Batch); then tell Event Grid of
 * the ARM write and make an acknowledged write durable before answering.
 */
export class RequestRouter {
  constructor(private readonly parts: RouterParts) {}

  async handle(req: IncomingMessage, res: ServerResponse, batchAccount?: string): Promise<void> {
    const { world, recorder, eventGrid, endpoints } = this.parts;
    const started = Date.now();
    let request: SimRequest;
    try {
      request = await readRequest(req, endpoints.originOf(batchAccount));
    } catch (error) {
      return writeResponse(res, unreadable(error));
    }
    const call = classify(request, batchAccount);
    const record = (status: number, fault?: string) =>
      recorder.record({
        service: call.service,
        kind: call.kind,
        method: request.method,
        path: request.url.pathname + request.url.search,
        status,
        account: call.service === 'batch' ? call.account : undefined,
        principal: call.principal,
        simTime: world.clock.now().toISOString(),
        realTimeMs: started,
        durationMs: Date.now() - started,
        fault,
      });

    if (call.service === 'control') {
      const response = (await eventGrid.serveControl(request)) ?? this.parts.control.serve(request);
      record(response.status);
      return writeResponse(res, response);
    }
    const service = call.service;
    const fault = takeFault(world.state.faults, REQUEST_FAULTS, {
      service,
      method: request.method,
      path: request.url.pathname,
    });
    if (fault?.kind === 'reset') {
      record(0, 'reset');
      world.changed();
      req.socket.destroy();
      return;
    }
    const existedBefore = service === 'arm' && eventGrid.existedBefore(request);
    const response = fault ? this.injected(fault, request, call) : this.serve(request, call);
    record(response.status, fault?.kind);
    if (service === 'arm' && !fault)
      eventGrid.armAnswered(request, response.status, call.principal, existedBefore);
    // An acknowledged write is durable, as ARM's is: a kill -9 right after the answer must not lose it.
    // Reads (the many polls) leave their derived changes to the once-per-turn save.
    if (request.method !== 'GET') world.save();
    writeResponse(res, response);
  }

  private injected(fault: FaultRule, request: SimRequest, call: Call): SimResponse {
    const { world, endpoints } = this.parts;
    const service = call.service === 'batch' ? 'batch' : 'arm';
    const response = faultResponse(
      fault,
      request,
      { service, batchUrl: endpoints.batchUrl(call.account) },
      world,
    );
    world.changed();
    return response;
  }

  private serve(request: SimRequest, call: Call): SimResponse {
    const { world, armOptions, endpoints, throttle } = this.parts;
    if (call.service === 'arm')
      return throttle.answer(call.principal, call.kind, () => serveArm(world, request, armOptions));
    return serveBatch(world, request, call.account, call.batchPath, {
      origin: endpoints.batchUrl(call.account),
    });
  }
}

function classify(request: SimRequest, batchAccount: string | undefined): Call {
  // Batch is served on a port per account, and also under /batch/{account} on the main port.
  const onAccountPort = batchAccount !== undefined;
  const [first] = request.segments;
  return {
    service: onAccountPort || first === 'batch' ? 'batch' : first === '_sim' ? 'control' : 'arm',
    account: batchAccount ?? request.segments[1] ?? '',
    batchPath: onAccountPort ? request.segments : request.segments.slice(2),
    kind: request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write',
    principal: principalOf(request),
  };
}

function unreadable(error: unknown): SimResponse {
  return error instanceof BadJsonError
    ? armError(400, 'InvalidRequestContent', error.message)
    : armError(400, 'BadRequest', String(error));
}
