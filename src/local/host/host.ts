import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { appEntryFiles } from './appEntry';
import { installFunctionsCore, registrations, type Registration } from './functionsCore';
import { DurableEngine, type EngineClock } from './durable/engine';
import { durableClientData } from './durableHttpApi';
import { createHttpHandler } from './httpRoutes';
import { loadOrCreateKeys, type HostKeys } from './keys';
import { withInputBindings, type InvokeEnvironment } from './invoke';
import { messageEncodingFrom } from './queueEncoding';
import { QueueListener } from './queueListener';
import { ServiceBusListener, serviceBusOptionsFrom, type ServiceBusHostJson } from './serviceBusListener';
import { TimerTrigger } from './timerTrigger';
import { holdOf, type HoldableClock } from './clockHold';

/** Where a host keeps its keys when not told: beside its durable state (.bif/ for the local world). */
function defaultKeysPath(dbPath: string): string {
  return join(dirname(dbPath), 'host-keys.json');
}

interface HostOptions {
  /**
   * The app root, as deployed (the folder holding package.json and host.json). The app is found from
   * package.json "main" there, path or glob, exactly as the Functions Node worker finds it.
   */
  appRoot: string;
  /** host.json: task hub, concurrency and queue settings. Default: the app root's host.json. */
  hostJsonPath?: string;
  port?: number;
  /** Held (when it can be) while the host runs work the engine cannot see: see clockHold.ts. */
  clock: EngineClock & HoldableClock;
  /** SQLite file for durable state. */
  dbPath: string;
  log?: (line: string) => void;
  /** Real ms between polls of an empty queue. */
  queuePollMs?: number;
  /** The host's keys file (created 0600 when missing); default host-keys.json beside dbPath. */
  keysPath?: string;
}

export interface RunningHost {
  port: number;
  origin: string;
  engine: DurableEngine;
  functions: Registration[];
  /** The keys every door checks; callers in the local world read them from keysPath. */
  keys: HostKeys;
  keysPath: string;
  stop(): Promise<void>;
}

interface HostJson {
  extensions?: {
    durableTask?: {
      hubName?: string;
      maxConcurrentActivityFunctions?: number;
      maxConcurrentOrchestratorFunctions?: number;
    };
    queues?: {
      maxDequeueCount?: number;
      visibilityTimeout?: string;
      batchSize?: number;
      messageEncoding?: string;
    };
    serviceBus?: ServiceBusHostJson;
  };
}

function seconds(timespan: string | undefined, fallback: number): number {
  const m = /^(\d+):(\d+):(\d+)$/.exec(timespan ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : fallback;
}

/**
 * Runs the compiled app without the Functions host: supplies `@azure/functions-core`, loads the app,
 * and serves what it registered — HTTP routes under /api, the Durable management API, Event Grid
 * deliveries, storage queue, Service Bus and timer triggers — with orchestrations on the embedded engine.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Before anything listens: a "main" that finds no app stops the host with nothing to clean up.
  const entries = appEntryFiles(options.appRoot);
  const hostJson = readHostJson(options);
  const durable = hostJson.extensions?.durableTask ?? {};
  const taskHub = durable.hubName ?? 'BatchImageFactory';
  const queueSettings = hostJson.extensions?.queues ?? {};
  const messageEncoding = messageEncodingFrom(queueSettings.messageEncoding);
  const keysPath = options.keysPath ?? defaultKeysPath(options.dbPath);
  const keys = loadOrCreateKeys(keysPath);

  const server: Server = createServer();
  const port = await listen(server, options.port ?? 7071);
  const origin = `http://127.0.0.1:${port}`;
  // Durable's client rewrites management URLs to localhost:7071 unless it knows the host name.
  process.env.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;

  const functions = loadApp(entries);
  const env: InvokeEnvironment = {
    durableClientData: durableClientData(origin, taskHub, keys),
    log,
    messageEncoding,
    hold: holdOf(options.clock),
  };
  const engine = createEngine(options, durable, functions, env, log);
  server.on('request', createHttpHandler({ port, origin, taskHub, engine, keys, functions, env, log }));
  const queues = functions
    .filter((f) => f.trigger.type === 'queueTrigger')
    .map((f) => new QueueListener(f, env, queueOptions(queueSettings, options, messageEncoding)));
  const serviceBusOptions = serviceBusOptionsFrom(hostJson.extensions?.serviceBus);
  const serviceBus = functions
    .filter((f) => f.trigger.type === 'serviceBusTrigger')
    .map((f) => new ServiceBusListener(f, env, serviceBusOptions));
  const timers = functions
    .filter((f) => f.trigger.type === 'timerTrigger')
    .map((f) => new TimerTrigger(f, options.clock, env));

  engine.start();
  for (const q of queues) await q.start();
  for (const b of serviceBus) await b.start();
  for (const t of timers) t.start();
  log(`embedded host on ${origin}: ${functions.map((f) => `${f.name} (${f.trigger.type})`).join(', ')}`);

  return {
    port,
    origin,
    engine,
    functions,
    keys,
    keysPath,
    stop: async () => {
      for (const t of timers) t.stop();
      await Promise.all([...queues, ...serviceBus].map((q) => q.stop()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
    },
  };
}

/** host.json as given, or the app root's, or none (every setting at its default). */
function readHostJson(options: HostOptions): HostJson {
  const hostJsonPath = options.hostJsonPath ?? join(options.appRoot, 'host.json');
  return options.hostJsonPath || existsSync(hostJsonPath)
    ? (JSON.parse(readFileSync(hostJsonPath, 'utf8')) as HostJson)
    : {};
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Loads the app's entry files as the worker does; what they register is the app. */
function loadApp(entries: string[]): Registration[] {
  installFunctionsCore();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app is loaded as the worker loads it
  for (const entry of entries) require(entry);
  return [...registrations.values()];
}

/** The engine with host.json's concurrency, running the app's orchestrators and activities. */
function createEngine(
  options: HostOptions,
  durable: NonNullable<NonNullable<HostJson['extensions']>['durableTask']>,
  functions: Registration[],
  env: InvokeEnvironment,
  log: (line: string) => void,
): DurableEngine {
  const engine = new DurableEngine({
    dbPath: options.dbPath,
    clock: options.clock,
    maxConcurrentActivities: durable.maxConcurrentActivityFunctions ?? 10,
    maxConcurrentOrchestrations: durable.maxConcurrentOrchestratorFunctions ?? 10,
    log,
  });
  for (const f of functions) {
    if (f.trigger.type === 'orchestrationTrigger') engine.registerOrchestrator(f.name, f.handler as never);
    if (f.trigger.type === 'activityTrigger')
      engine.registerActivity(
        f.name,
        (input, context) => f.handler(input, withInputBindings(f, context, env)) as Promise<unknown>,
      );
  }
  return engine;
}

/** host.json's queues section with the Functions host's defaults. */
function queueOptions(
  settings: NonNullable<NonNullable<HostJson['extensions']>['queues']>,
  options: HostOptions,
  messageEncoding: ReturnType<typeof messageEncodingFrom>,
): ConstructorParameters<typeof QueueListener>[2] {
  return {
    batchSize: settings.batchSize ?? 16,
    maxDequeueCount: settings.maxDequeueCount ?? 5,
    visibilityTimeoutSeconds: Math.max(1, seconds(settings.visibilityTimeout, 30)),
    pollMs: options.queuePollMs ?? 500,
    messageEncoding,
  };
}
