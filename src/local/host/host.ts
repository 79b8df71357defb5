import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import { appEntryFiles } from './appEntry';
import { installFunctionsCore, registrations, type Registration } from './functionsCore';
import { DurableEngine, type EngineClock } from './durable/engine';
import { durableClientData, serveDurableApi } from './durableHttpApi';
import { invokeFunction, type InvokeEnvironment } from './invoke';
import { QueueListener } from './queueListener';
import { TimerTrigger } from './timerTrigger';

export interface HostOptions {
  /**
   * The app root, as deployed (the folder holding package.json and host.json). The app is found from
   * package.json "main" there, path or glob, exactly as the Functions Node worker finds it.
   */
  appRoot: string;
  /** host.json: task hub, concurrency and queue settings. Default: the app root's host.json. */
  hostJsonPath?: string;
  port?: number;
  clock: EngineClock;
  /** SQLite file for durable state. */
  dbPath: string;
  log?: (line: string) => void;
  /** Real ms between polls of an empty queue. */
  queuePollMs?: number;
}

export interface RunningHost {
  port: number;
  origin: string;
  engine: DurableEngine;
  functions: Registration[];
  timers: TimerTrigger[];
  queues: QueueListener[];
  stop(): Promise<void>;
}

interface HostJson {
  extensions?: {
    durableTask?: {
      hubName?: string;
      maxConcurrentActivityFunctions?: number;
      maxConcurrentOrchestratorFunctions?: number;
    };
    queues?: { maxDequeueCount?: number; visibilityTimeout?: string; batchSize?: number };
  };
}

function seconds(timespan: string | undefined, fallback: number): number {
  const m = /^(\d+):(\d+):(\d+)$/.exec(timespan ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : fallback;
}

/**
 * Runs the compiled app without the Functions host: supplies `@azure/functions-core`, loads the app,
 * and serves what it registered — HTTP routes under /api, the Durable management API, Event Grid
 * deliveries, storage queue and timer triggers — with orchestrations on the embedded engine.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Before anything listens: a "main" that finds no app stops the host with nothing to clean up.
  const entries = appEntryFiles(options.appRoot);
  const hostJsonPath = options.hostJsonPath ?? join(options.appRoot, 'host.json');
  const hostJson: HostJson =
    options.hostJsonPath || existsSync(hostJsonPath)
      ? (JSON.parse(readFileSync(hostJsonPath, 'utf8')) as HostJson)
      : {};
  const durable = hostJson.extensions?.durableTask ?? {};
  const taskHub = durable.hubName ?? 'BatchImageFactory';

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  // Durable's client rewrites management URLs to localhost:7071 unless it knows the host name.
  process.env.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;

  installFunctionsCore();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app is loaded as the worker loads it
  for (const entry of entries) require(entry);
  const functions = [...registrations.values()];

  const engine = new DurableEngine({
    dbPath: options.dbPath,
    clock: options.clock,
    maxConcurrentActivities: durable.maxConcurrentActivityFunctions ?? 10,
    maxConcurrentOrchestrations: durable.maxConcurrentOrchestratorFunctions ?? 10,
    log,
  });
  const env: InvokeEnvironment = { durableClientData: durableClientData(origin, taskHub), log };
  for (const f of functions) {
    if (f.trigger.type === 'orchestrationTrigger') engine.registerOrchestrator(f.name, f.handler as never);
    if (f.trigger.type === 'activityTrigger')
      engine.registerActivity(f.name, (input, context) => f.handler(input, context) as Promise<unknown>);
  }

  const httpFunctions = functions.filter((f) => f.trigger.type === 'httpTrigger');
  const eventGridFunctions = new Map(
    functions.filter((f) => f.trigger.type === 'eventGridTrigger').map((f) => [f.name.toLowerCase(), f]),
  );
  server.on('request', (req, res) => {
    void handleHttp(req, res).catch((error: unknown) => {
      log(`http ${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: (error as Error).message }));
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (await serveDurableApi(engine, origin, taskHub, req, res, body)) return;
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/runtime/webhooks/eventgrid') return serveEventGrid(url, req, res, body);
    if (url.pathname === '/admin/host/status') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ state: 'Running', functions: functions.map((f) => f.name) }));
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const path = url.pathname.slice(5);
      for (const f of httpFunctions) {
        const methods = ((f.trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) =>
          m.toUpperCase(),
        );
        const params = matchRoute(String(f.trigger.route ?? f.name), path);
        if (!params || !methods.includes(req.method ?? 'GET')) continue;
        const request = new HttpRequest({
          method: req.method ?? 'GET',
          url: url.toString(),
          headers: Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
          ),
          query: Object.fromEntries(url.searchParams),
          params,
          body: { string: body },
        });
        const answer = (await invokeFunction(f, request, env)) as HttpResponseInit | HttpResponse | undefined;
        return writeHttpAnswer(res, answer);
      }
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: `No function serves ${req.method} ${url.pathname}` }));
  }

  /** Event Grid webhook: the subscription validation handshake (both schemas), then one invocation per event. */
  async function serveEventGrid(
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
  ): Promise<void> {
    const f = eventGridFunctions.get((url.searchParams.get('functionName') ?? '').toLowerCase());
    if (!f) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ error: `No Event Grid function named ${url.searchParams.get('functionName')}` }),
      );
      return;
    }
    if (req.method === 'OPTIONS') {
      // CloudEvents webhook validation (abuse protection).
      res.writeHead(200, {
        'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin'] ?? '*'),
        'WebHook-Allowed-Rate': '*',
      });
      res.end();
      return;
    }
    const parsed = JSON.parse(body || '[]') as unknown;
    const events = (Array.isArray(parsed) ? parsed : [parsed]) as {
      eventType?: string;
      data?: { validationCode?: string };
    }[];
    const validation = events.find((e) => e.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent');
    if (req.headers['aeg-event-type'] === 'SubscriptionValidation' || validation) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ validationResponse: validation?.data?.validationCode }));
      return;
    }
    for (const event of events) await invokeFunction(f, event, env);
    res.writeHead(200);
    res.end();
  }

  const queueSettings = hostJson.extensions?.queues ?? {};
  const queues = functions
    .filter((f) => f.trigger.type === 'queueTrigger')
    .map(
      (f) =>
        new QueueListener(f, env, {
          batchSize: queueSettings.batchSize ?? 16,
          maxDequeueCount: queueSettings.maxDequeueCount ?? 5,
          visibilityTimeoutSeconds: Math.max(1, seconds(queueSettings.visibilityTimeout, 30)),
          pollMs: options.queuePollMs ?? 500,
        }),
    );
  const timers = functions
    .filter((f) => f.trigger.type === 'timerTrigger')
    .map((f) => new TimerTrigger(f, options.clock, env));

  engine.start();
  for (const q of queues) await q.start();
  for (const t of timers) t.start();
  log(`embedded host on ${origin}: ${functions.map((f) => `${f.name} (${f.trigger.type})`).join(', ')}`);

  return {
    port,
    origin,
    engine,
    functions,
    timers,
    queues,
    stop: async () => {
      for (const t of timers) t.stop();
      await Promise.all(queues.map((q) => q.stop()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
    },
  };
}

/** `builds/{id}` against `builds/abc` → { id: 'abc' }; undefined when it does not match. */
export function matchRoute(route: string, path: string): Record<string, string> | undefined {
  const routeParts = route.replace(/^\/+|\/+$/g, '').split('/');
  const pathParts = path.replace(/^\/+|\/+$/g, '').split('/');
  if (routeParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < routeParts.length; i++) {
    const r = routeParts[i]!;
    const p = decodeURIComponent(pathParts[i]!);
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
