import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import type { Registration } from './functionsCore';
import type { DurableEngine } from './durable/engine';
import { durableRoute, serveDurableApi } from './durableHttpApi';
import { EVENT_GRID_MAX_BYTES, EVENT_GRID_PATH, serveEventGrid } from './eventGridWebhook';
import { HttpRefusal, checkCaller, decodeSegments, readBody, sendJson } from './httpGuards';
import { keyAllows, presentedKey, type HostKeys, type KeyRequirement } from './keys';
import { invokeFunction, type InvokeEnvironment } from './invoke';
import { servedHttpFunctions } from './httpRouteConflicts';
import { holdNow } from './clockHold';

/** The Functions host's request limit (100 MB), which the FUNCTIONS_REQUEST_BODY_SIZE_LIMIT app setting changes. */
const DEFAULT_MAX_REQUEST_BYTES = 104_857_600;

function maxRequestBytes(): number {
  const setting = Number(process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT);
  return Number.isInteger(setting) && setting > 0 ? setting : DEFAULT_MAX_REQUEST_BYTES;
}

interface HttpRoutesOptions {
  port: number;
  origin: string;
  taskHub: string;
  engine: DurableEngine;
  keys: HostKeys;
  functions: Registration[];
  env: InvokeEnvironment;
  log: (line: string) => void;
}

const NO_KEY =
  'pass the key as ?code=<key> or the x-functions-key header (the local world keeps its keys in .bif/host-keys.json; bif uses them for you)';

function unauthorized(what: string): HttpRefusal {
  return new HttpRefusal(401, `${what} needs a key: ${NO_KEY}.`);
}

/** What the doors need, built once per host. */
interface Doors {
  options: HttpRoutesOptions;
  httpFunctions: Registration[];
  eventGridFunctions: Map<string, Registration>;
  durable: { engine: DurableEngine; origin: string; taskHub: string; keys: HostKeys };
}

/**
 * The host's HTTP doors, checked as the Functions host checks them: the caller must be local (Host,
 * Origin), present the key the door wants (authLevel on /api routes, the extension's system key on
 * the webhooks), and send a body within the door's limit — all before any function runs.
 */
export function createHttpHandler(
  options: HttpRoutesOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const doors: Doors = {
    options,
    // A function whose route conflicts with an earlier one is in error, as in Azure: logged, never served.
    httpFunctions: servedHttpFunctions(options.functions, options.log),
    eventGridFunctions: new Map(
      options.functions
        .filter((f) => f.trigger.type === 'eventGridTrigger')
        .map((f) => [f.name.toLowerCase(), f]),
    ),
    durable: { engine: options.engine, origin: options.origin, taskHub: options.taskHub, keys: options.keys },
  };
  return (req, res) => {
    // The clock stands still until the answer is sent: a POST /api/builds must reach the engine before
    // a jump clock moves on (released on 'close', which also comes when the caller hangs up).
    res.once('close', holdNow(options.env.hold));
    void route(doors, req, res).catch((error: unknown) => {
      if (error instanceof HttpRefusal) {
        // Drain what the client still sends, so it reads our answer instead of a reset.
        req.resume();
        return sendJson(res, error.status, { error: error.message }, error.headers);
      }
      options.log(`http ${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      sendJson(res, 500, { error: (error as Error).message });
    });
  };
}

async function route(doors: Doors, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options } = doors;
  const { keys } = options;
  checkCaller(req, options.port);
  const url = new URL(req.url ?? '/', options.origin);
  const lower = url.pathname.toLowerCase();

  const durablePath = durableRoute(url, req.headers, keys);
  if (durablePath) {
    if (!durablePath.authorized) throw unauthorized('The Durable Functions API');
    const body = await readBody(req, maxRequestBytes());
    return serveDurableApi(doors.durable, req, res, url, durablePath.rest, body);
  }
  if (lower === EVENT_GRID_PATH) {
    const allowed = keyAllows(
      keys,
      { level: 'system', name: 'eventgrid_extension' },
      presentedKey(url, req.headers),
    );
    if (!allowed) throw unauthorized('The Event Grid webhook');
    const body = await readBody(req, EVENT_GRID_MAX_BYTES);
    return serveEventGrid(doors.eventGridFunctions, options.env, url, req, res, body);
  }
  if (lower === '/admin/host/status') {
    if (!keyAllows(keys, { level: 'admin' }, presentedKey(url, req.headers)))
      throw unauthorized('The admin API (master key)');
    return sendJson(res, 200, { state: 'Running', functions: options.functions.map((f) => f.name) });
  }
  if (lower.startsWith('/api/')) return serveFunction(doors, url, req, res);
  sendJson(res, 404, { error: `No function serves ${req.method} ${url.pathname}` });
}

/** An /api request: the first HTTP function whose route and methods match, behind its authLevel. */
async function serveFunction(
  doors: Doors,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { keys, env } = doors.options;
  const path = url.pathname.slice(5);
  const method = (req.method ?? 'GET').toUpperCase();
  const allowed = new Set<string>();
  for (const f of doors.httpFunctions) {
    const params = matchRoute(String(f.trigger.route ?? f.name), path);
    if (!params) continue;
    const methods = ((f.trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) =>
      m.toUpperCase(),
    );
    if (!methods.includes(method)) {
      methods.forEach((m) => allowed.add(m));
      continue;
    }
    if (!keyAllows(keys, keyRequirement(f), presentedKey(url, req.headers)))
      throw unauthorized(`The function ${f.name}`);
    const body = await readBody(req, maxRequestBytes());
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      ),
      query: Object.fromEntries(url.searchParams),
      params,
      body: { bytes: body },
    });
    const answer = (await invokeFunction(f, request, env)) as HttpResponseInit | HttpResponse | undefined;
    return writeHttpAnswer(res, answer);
  }
  if (allowed.size)
    throw new HttpRefusal(
      405,
      `${method} is not allowed on ${url.pathname}; use ${[...allowed].join(' or ')}.`,
      {
        Allow: [...allowed].join(', '),
      },
    );
  sendJson(res, 404, { error: `No function serves ${method} ${url.pathname}` });
}

/** The key an HTTP function's authLevel asks for; anything unknown is treated as "function". */
function keyRequirement(f: Registration): KeyRequirement {
  const level = String(f.trigger.authLevel ?? 'function').toLowerCase();
  return level === 'anonymous'
    ? { level: 'anonymous' }
    : level === 'admin'
      ? { level: 'admin' }
      : { level: 'function' };
}

/**
 * `builds/{id}` against `builds/abc` → { id: 'abc' }; undefined when it does not match. Literal
 * segments match case-insensitively, as the Functions host's routes do.
 */
function matchRoute(route: string, path: string): Record<string, string> | undefined {
  const routeParts = route.replace(/^\/+|\/+$/g, '').split('/');
  const pathParts = decodeSegments(path.replace(/^\/+|\/+$/g, ''));
  if (path.replace(/^\/+|\/+$/g, '') === '') pathParts.length = 0;
  if (routeParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < routeParts.length; i++) {
    const r = routeParts[i]!;
    const p = pathParts[i]!;
    const param = /^\{([^}:?]+)(?::[^}]*)?\??\}$/.exec(r);
    if (param) params[param[1]!] = p;
    else if (r.toLowerCase() !== p.toLowerCase()) return undefined;
  }
  return params;
}

async function writeHttpAnswer(
  res: ServerResponse,
  answer: HttpResponseInit | HttpResponse | undefined,
): Promise<void> {
  if (!answer) {
    res.writeHead(204);
    res.end();
    return;
  }
  if (answer instanceof HttpResponse) {
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, key) => (headers[key] = value));
    res.writeHead(answer.status, headers);
    res.end(await answer.text());
    return;
  }
  const headers: Record<string, string> = {
    ...((answer.headers as Record<string, string> | undefined) ?? {}),
  };
  let payload: string | undefined;
  if (answer.jsonBody !== undefined) {
    payload = JSON.stringify(answer.jsonBody);
    headers['Content-Type'] ??= 'application/json';
  } else if (answer.body !== undefined)
    payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status ?? 200, headers);
  res.end(payload);
}
