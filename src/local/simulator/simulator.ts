import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { VirtualClock } from '../clock';
import { makeLocalCertificate, type LocalCertificate } from '../tls';
import { BadJsonError, json, readRequest, type SimRequest, type SimResponse } from './http';
import { World } from './world';
import { readScenario, seedWorld, type Scenario } from './scenario';
import { RequestRecorder } from './recorder';
import { TokenBuckets } from './tokenBucket';
import { REQUEST_FAULTS, takeFault, type FaultRule } from './faults';
import { serveArm } from './arm/armService';
import { armError } from './arm/armErrors';
import { serveBatch } from './batch/batchService';
import { BatchFailure, batchError } from './batch/batchErrors';
import { SimulatedEventGrid } from './eventGrid';

export interface SimulatorOptions {
  port?: number;
  /** Simulated milliseconds per real millisecond (600 = 1 real second is 10 simulated minutes). */
  speed?: number;
  /** A scenario file or the name of a bundled one (default "demo"). */
  scenario?: string | Scenario;
  /** Save the world here after every change and reload it at start. */
  statePath?: string;
  /** Append every request here (JSON lines) and read them back at start, so GET /_sim/requests spans restarts. */
  requestLogPath?: string;
  /** Share a clock with the embedded host. */
  clock?: VirtualClock;
  certificate?: LocalCertificate;
  /** Turn ARM's token-bucket throttling off (it is on by default, like Azure). */
  throttling?: boolean;
}

export interface RunningSimulator {
  armUrl: string;
  batchAccounts: Record<string, string>;
  caCert: string;
  clock: VirtualClock;
  world: World;
  recorder: RequestRecorder;
  /** Event Grid system topics: ARM writes become events delivered to webhook subscriptions. */
  eventGrid: SimulatedEventGrid;
  port: number;
  /** Base URL of the Batch data plane of one account. */
  batchUrl(accountName: string): string;
  addFault(rule: FaultRule): FaultRule;
  stop(): Promise<void>;
}

/** Starts the cloud simulator on 127.0.0.1 over HTTPS. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clock = options.clock ?? new VirtualClock({ speed: options.speed ?? 1 });
  const scenario =
    typeof options.scenario === 'object' ? options.scenario : readScenario(options.scenario ?? 'demo');
  const saved = options.statePath ? World.load(options.statePath) : undefined;
  if (saved?.savedAtSimMs !== undefined && !options.clock && saved.savedAtSimMs > clock.nowMs()) {
    // Resume simulated time where the saved world left it, so nothing appears to run backwards.
    clock.advance(saved.savedAtSimMs - clock.nowMs());
  }
  const world = new World(clock, options.statePath, saved ?? seedWorld(scenario, clock.nowMs()));
  world.changed();
  const recorder = new RequestRecorder(options.requestLogPath);
  const eventGrid = new SimulatedEventGrid(world, clock);
  const buckets = new TokenBuckets();
  const certificate = options.certificate ?? makeLocalCertificate();
  const throttling = options.throttling ?? true;
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse, batchAccount?: string) => {
    const started = Date.now();
    let request: SimRequest;
    try {
      request = await readRequest(req, batchAccount ? batchOrigins.get(batchAccount)! : origin);
    } catch (error) {
      const body =
        error instanceof BadJsonError
          ? armError(400, 'InvalidRequestContent', error.message)
          : armError(400, 'BadRequest', String(error));
      return write(res, body);
    }
    // Batch is served on a port per account (the SDK cannot take a base URL with a path), and also
    // under /batch/{account} on the main port for hand-made calls.
    const onAccountPort = batchAccount !== undefined;
    const service =
      onAccountPort || request.segments[0] === 'batch'
        ? 'batch'
        : request.segments[0] === '_sim'
          ? 'control'
          : 'arm';
    const accountName = batchAccount ?? request.segments[1] ?? '';
    const batchRest = onAccountPort ? request.segments : request.segments.slice(2);
    const kind = request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
    const principal = principalOf(request);
    const record = (status: number, fault?: string) =>
      recorder.record({
        service,
        kind,
        method: request.method,
        path: request.url.pathname + request.url.search,
        status,
        account: service === 'batch' ? accountName : undefined,
        principal,
        simTime: clock.now().toISOString(),
        realTimeMs: started,
        durationMs: Date.now() - started,
        fault,
      });

    if (service === 'control') {
      const response = (await eventGrid.serveControl(request)) ?? serveControl(request);
      record(response.status);
      return write(res, response);
    }

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
    let response: SimResponse;
    const existedBefore = service === 'arm' && eventGrid.existedBefore(request);
    if (fault) {
      response = faultResponse(fault, service, request, accountName);
      world.changed();
    } else if (service === 'arm' && throttling) {
      const token = buckets.take(principal, kind, clock.nowMs());
      if (!token.ok) {
        const seconds = Math.max(1, Math.ceil(token.retryAfterMs / 1000 / clock.speed));
        response = armError(
          429,
          'SubscriptionRequestsThrottled',
          `Number of '${kind}' requests for subscription actor '${principal}' exceeded. Please try again after '${seconds}' seconds after additional tokens are available.`,
          undefined,
          {
            'Retry-After': String(seconds),
            [`x-ms-ratelimit-remaining-subscription-${kind}s`]: '0',
          },
        );
      } else {
        response = serveArm(world, request, armOptions);
        response.headers = {
          ...(response.headers ?? {}),
          [`x-ms-ratelimit-remaining-subscription-${kind}s`]: String(token.remaining),
        };
      }
    } else if (service === 'arm') {
      response = serveArm(world, request, armOptions);
    } else {
      response = serveBatch(world, request, accountName, batchRest, {
        origin: batchOrigins.get(accountName.toLowerCase()) ?? `${origin}/batch/${accountName}`,
      });
    }
    record(response.status, fault?.kind);
    if (service === 'arm' && !fault)
      eventGrid.armAnswered(request, response.status, principal, existedBefore);
    // An acknowledged write is durable, as ARM's is: a kill -9 right after the answer must not lose it.
    // Reads (the many polls) leave their derived changes to the once-per-turn save.
    if (request.method !== 'GET') world.save();
    write(res, response);
  };

  const armOptions = {
    get origin() {
      return origin;
    },
    pageSize: scenario.pageSize ?? 10,
    timing: scenario.timing ?? {},
    // Azure asks for ~15 s between polls; clients read Retry-After as real seconds, so scale it, but never below 1.
    retryAfterSeconds: () => String(Math.max(1, Math.ceil(15 / clock.speed))),
  };

  function serveControl(request: SimRequest): SimResponse {
    const [, what] = request.segments;
    const body = (request.body ?? {}) as Record<string, any>;
    switch (`${request.method} ${what ?? ''}`) {
      case 'GET health':
        return json(200, { ok: true });
      case 'GET info':
        return json(200, info());
      case 'GET clock':
        return json(200, { now: clock.now().toISOString(), anchor: clock.getAnchor() });
      case 'POST clock':
        if (body.speed !== undefined) clock.setSpeed(Number(body.speed));
        if (body.advanceMs !== undefined) clock.advance(Number(body.advanceMs));
        if (body.advanceMinutes !== undefined) clock.advance(Number(body.advanceMinutes) * 60_000);
        return json(200, { now: clock.now().toISOString(), anchor: clock.getAnchor() });
      case 'GET requests': {
        const since = Number(request.url.searchParams.get('since') ?? 0);
        return json(200, { lastSeq: recorder.lastSeq, requests: recorder.since(since) });
      }
      case 'DELETE requests':
        recorder.clear();
        return json(204);
      case 'GET faults':
        return json(200, { faults: world.state.faults });
      case 'POST faults': {
        const rules = (Array.isArray(request.body) ? request.body : [request.body]) as FaultRule[];
        const added = rules.map((r) => world.addFault(r));
        world.changed();
        return json(201, { faults: added });
      }
      case 'DELETE faults':
        world.state.faults = [];
        world.changed();
        return json(204);
      case 'GET state':
        return json(200, world.plain);
      case 'POST save': {
        const path = String(body.path ?? options.statePath ?? '');
        if (!path)
          return json(400, {
            error: { code: 'MissingPath', message: 'Give {"path": "<file>"} or start with --state.' },
          });
        writeFileSync(path, JSON.stringify({ ...world.plain, savedAtSimMs: clock.nowMs() }));
        return json(200, { path });
      }
      default:
        return json(404, {
          error: {
            code: 'NotFound',
            message: `No simulator control route ${request.method} /_sim/${what ?? ''}`,
          },
        });
    }
  }

  function faultResponse(
    fault: FaultRule,
    service: 'arm' | 'batch',
    request: SimRequest,
    accountName: string,
  ): SimResponse {
    const status = fault.kind === 'throttle' ? 429 : (fault.status ?? 500);
    const headers: Record<string, string> = {};
    if (fault.kind === 'throttle') {
      headers['Retry-After'] = String(fault.retryAfterSeconds ?? 1);
      headers[`x-ms-ratelimit-remaining-subscription-${request.method === 'GET' ? 'reads' : 'writes'}`] = '0';
    } else if (fault.retryAfterSeconds !== undefined)
      headers['Retry-After'] = String(fault.retryAfterSeconds);
    const code =
      fault.code ??
      (status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : 'InternalServerError');
    const message = fault.message ?? `Injected fault: ${code}.`;
    if (service === 'batch') {
      const response = batchError(
        batchUrl(accountName),
        new BatchFailure(status, code, message),
        world.nextId('b0000000'),
        clock.now().toISOString(),
      );
      return { ...response, headers: { ...response.headers, ...headers } };
    }
    return armError(status, code, message, undefined, headers);
  }

  const listen = async (port: number, batchAccount?: string): Promise<Server> => {
    const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
      handle(req, res, batchAccount).catch((error: unknown) => {
        write(res, armError(500, 'SimulatorError', (error as Error).stack ?? String(error)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return server;
  };
  const batchOrigins = new Map<string, string>();
  const servers: Server[] = [await listen(options.port ?? 0)];
  const port = (servers[0]!.address() as AddressInfo).port;
  origin = `https://127.0.0.1:${port}`;
  // With a fixed --port, accounts take the next ports in name order, so their URLs survive a restart.
  const accounts = Object.keys(world.state.batchAccounts).sort();
  for (const [i, name] of accounts.entries()) {
    const server = await listen(options.port ? options.port + 1 + i : 0, name);
    servers.push(server);
    batchOrigins.set(name, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  const batchUrl = (name: string) => batchOrigins.get(name.toLowerCase()) ?? `${origin}/batch/${name}`;
  const info = () => ({
    arm: origin,
    batchAccounts: Object.fromEntries(
      Object.values(world.state.batchAccounts).map((a) => [a.name, batchUrl(a.name)]),
    ),
    clock: clock.getAnchor(),
  });

  return {
    armUrl: origin,
    batchAccounts: info().batchAccounts,
    caCert: certificate.cert,
    clock,
    world,
    recorder,
    eventGrid,
    port,
    batchUrl,
    addFault: (rule) => {
      const added = world.addFault(rule);
      world.changed();
      return added;
    },
    stop: async () => {
      world.save();
      eventGrid.delivery.stop();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

function write(res: ServerResponse, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload: string | undefined = response.text;
  if (payload === undefined && response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  headers['x-ms-request-id'] ??= createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 32);
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Who is calling: the token's object id when it is a JWT, else a hash of the token. */
function principalOf(request: SimRequest): string {
  const auth = String(request.headers.authorization ?? '');
  const token = auth.replace(/^Bearer\s+/i, '');
  if (!token) return 'anonymous';
  const [, payload] = token.split('.');
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        oid?: string;
        appid?: string;
      };
      if (claims.oid || claims.appid) return String(claims.oid ?? claims.appid);
    } catch {
      // not a JWT
    }
  }
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}
