import { writeFileSync } from 'node:fs';
import type { VirtualClock } from '../clock';
import { json, type SimRequest, type SimResponse } from './http';
import type { FaultRule } from './faults';
import type { RequestRecorder } from './recorder';
import type { World } from './world';
import { changeQuotas, renderArmAccount, type QuotaChange } from './batch/coreQuotas';
import { BatchFailure } from './batch/batchErrors';

/** Where the simulator answers (GET /_sim/info). */
export interface SimulatorInfo {
  arm: string;
  batchAccounts: Record<string, string>;
  clock: ReturnType<VirtualClock['getAnchor']>;
}

/** The simulator's own routes under /_sim: health, clock, recorded requests, faults, state. */
export class ControlRoutes {
  constructor(
    private readonly world: World,
    private readonly recorder: RequestRecorder,
    private readonly info: () => SimulatorInfo,
    private readonly statePath?: string,
  ) {}

  serve(request: SimRequest): SimResponse {
    const [, what] = request.segments;
    const route = `${request.method} ${what ?? ''}`;
    switch (route) {
      case 'GET health':
        return json(200, { ok: true });
      case 'GET info':
        return json(200, this.info());
      case 'GET clock':
      case 'POST clock':
        return this.clock(request);
      case 'GET requests':
      case 'DELETE requests':
        return this.requests(request);
      case 'GET faults':
      case 'POST faults':
      case 'DELETE faults':
        return this.faults(request);
      case 'GET state':
        return json(200, this.world.plain);
      case 'POST save':
        return this.save(request);
      case 'PATCH batchAccounts':
        return this.quotas(request);
      default:
        return json(404, {
          error: {
            code: 'NotFound',
            message: `No simulator control route ${request.method} /_sim/${what ?? ''}`,
          },
        });
    }
  }

  private clock(request: SimRequest): SimResponse {
    const clock = this.world.clock;
    if (request.method === 'POST') {
      const body = bodyOf(request);
      if (body.speed !== undefined) clock.setSpeed(Number(body.speed));
      if (body.advanceMs !== undefined) clock.advance(Number(body.advanceMs));
      if (body.advanceMinutes !== undefined) clock.advance(Number(body.advanceMinutes) * 60_000);
    }
    return json(200, { now: clock.now().toISOString(), anchor: clock.getAnchor() });
  }

  private requests(request: SimRequest): SimResponse {
    if (request.method === 'DELETE') {
      this.recorder.clear();
      return json(204);
    }
    const since = Number(request.url.searchParams.get('since') ?? 0);
    return json(200, { lastSeq: this.recorder.lastSeq, requests: this.recorder.since(since) });
  }

  private faults(request: SimRequest): SimResponse {
    const world = this.world;
    if (request.method === 'GET') return json(200, { faults: world.state.faults });
    if (request.method === 'DELETE') {
      world.state.faults = [];
      world.changed();
      return json(204);
    }
    const rules = (Array.isArray(request.body) ? request.body : [request.body]) as FaultRule[];
    const added = rules.map((r) => world.addFault(r));
    world.changed();
    return json(201, { faults: added });
  }

  /** `PATCH /_sim/batchAccounts/{name}` with account GET quota fields: the quota changes from now on. */
  private quotas(request: SimRequest): SimResponse {
    const name = request.segments[2] ?? '';
    const account = Object.values(this.world.state.batchAccounts).find(
      (a) => a.name.toLowerCase() === name.toLowerCase(),
    );
    if (!account)
      return json(404, { error: { code: 'NotFound', message: `No Batch account ${name} in this world.` } });
    try {
      changeQuotas(account, bodyOf(request) as QuotaChange);
    } catch (error) {
      if (!(error instanceof BatchFailure)) throw error;
      return json(error.status, { error: { code: error.code, message: error.message } });
    }
    this.world.changed();
    return json(200, renderArmAccount(account).properties);
  }

  /** Writes the whole world to a file of the caller's choosing (or the state file), to start another simulator from. */
  private save(request: SimRequest): SimResponse {
    const path = String(bodyOf(request).path ?? this.statePath ?? '');
    if (!path)
      return json(400, {
        error: { code: 'MissingPath', message: 'Give {"path": "<file>"} or start with --state.' },
      });
    writeFileSync(path, JSON.stringify({ ...this.world.plain, savedAtSimMs: this.world.now() }));
    return json(200, { path });
  }
}

function bodyOf(request: SimRequest): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>;
}
