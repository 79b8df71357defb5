import { writeFileSync } from 'node:fs';
import type { ClockAnchor, ClockMode, VirtualClock } from '../clock';
import { ClockNotFollowableError } from '../clock';
import { json, type SimRequest, type SimResponse } from './http';
import type { FaultRule } from './faults';
import type { RequestRecorder } from './recorder';
import type { World } from './world';
import { changeQuotas, renderArmAccount } from './batch/coreQuotas';
import { normalizeLocation } from './arm/kinds';
import type { BatchAccountState } from './model';
import { BatchFailure } from './batch/batchErrors';

/** Where the simulator answers (GET /_sim/info). */
export interface SimulatorInfo {
  arm: string;
  batchAccounts: Record<string, string>;
  /** The line another process follows: only a 'free' clock has one (see clockInfo). */
  clock?: ClockAnchor;
  clockMode: ClockMode;
}

/** The clock part of /_sim/info: the anchor only when another process can follow it. */
export function clockInfo(clock: VirtualClock): Pick<SimulatorInfo, 'clock' | 'clockMode'> {
  return clock.followable ? { clock: clock.getAnchor(), clockMode: clock.mode } : { clockMode: clock.mode };
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
    if (clock.followable) return json(200, { now: clock.now().toISOString(), anchor: clock.getAnchor() });
    // A gated clock has no line to follow: an anchor would let a follower run ahead while it is frozen.
    // A change (POST) still applies, as it does in-process; only the anchor is refused.
    if (request.method === 'POST') return json(200, { now: clock.now().toISOString(), mode: clock.mode });
    return json(409, {
      error: { code: 'ClockNotFollowable', message: new ClockNotFollowableError(clock.mode).message },
    });
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

  /**
   * `PATCH /_sim/batchAccounts/{name}[?region=…]` or `PATCH /_sim/batchAccounts?id={account id}` with
   * account GET quota fields: the quota changes from now on. Batch account names are unique per region
   * only, so the region (or the id) pins the account.
   */
  private quotas(request: SimRequest): SimResponse {
    const account = findAccount(this.world, request);
    if (typeof account === 'string') return json(404, { error: { code: 'NotFound', message: account } });
    try {
      changeQuotas(account, bodyOf(request));
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

/** The account a quota change is for, or why none matches. */
function findAccount(world: World, request: SimRequest): BatchAccountState | string {
  const accounts = Object.values(world.state.batchAccounts);
  const id = request.url.searchParams.get('id');
  if (id) {
    const byId = accounts.find((a) => a.id.toLowerCase() === id.toLowerCase());
    return byId ?? `No Batch account with id ${id} in this world.`;
  }
  const name = request.segments[2] ?? '';
  const region = request.url.searchParams.get('region');
  const named = accounts.filter((a) => a.name.toLowerCase() === name.toLowerCase());
  const match = region
    ? named.find((a) => normalizeLocation(a.region) === normalizeLocation(region))
    : named.length === 1
      ? named[0]
      : undefined;
  if (match) return match;
  if (named.length > 1 && !region)
    return `${named.length} Batch accounts are named ${name}: add ?region= or use ?id= with the account id.`;
  const where = named.length ? ` (it is in ${named.map((a) => a.region).join(', ')})` : '';
  return `No Batch account ${name}${region ? ` in ${region}` : ''} in this world${where}.`;
}

function bodyOf(request: SimRequest): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>;
}
