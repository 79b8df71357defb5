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
import { TimerTrigger } from './timerTrigger';

/** Where a host keeps its keys when not told: beside its durable state (.bif/ for the local world). */
export function defaultKeysPath(dbPath: string): string {
  return join(dirname(dbPath), 'host-keys.json');
}

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
  /** The host's keys file (created 0600 when missing); default host-keys.json beside dbPath. */
  keysPath?: string;
}

export interface RunningHost {
  port: number;
  origin: string;
  engine: DurableEngine;
  functions: Registration[];
  timers: TimerTrigger[];
  queues: QueueListener[];
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
  const queueSettings = hostJson.extensions?.queues ?? {};
  const messageEncoding = messageEncodingFrom(queueSettings.messageEncoding);
  const keysPath = options.keysPath ?? defaultKeysPath(options.dbPath);
  const keys = loadOrCreateKeys(keysPath);

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
  const env: InvokeEnvironment = {
    durableClientData: durableClientData(origin, taskHub, keys),
    log,
    messageEncoding,
  };
  for (const f of functions) {
    if (f.trigger.type === 'orchestrationTrigger') engine.registerOrchestrator(f.name, f.handler as never);
    if (f.trigger.type === 'activityTrigger')
      engine.registerActivity(
        f.name,
        (input, context) => f.handler(input, withInputBindings(f, context, env)) as Promise<unknown>,
      );
  }

  server.on('request', createHttpHandler({ port, origin, taskHub, engine, keys, functions, env, log }));

  const queues = functions
    .filter((f) => f.trigger.type === 'queueTrigger')
    .map(
      (f) =>
        new QueueListener(f, env, {
          batchSize: queueSettings.batchSize ?? 16,
          maxDequeueCount: queueSettings.maxDequeueCount ?? 5,
          visibilityTimeoutSeconds: Math.max(1, seconds(queueSettings.visibilityTimeout, 30)),
          pollMs: options.queuePollMs ?? 500,
          messageEncoding,
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
    keys,
    keysPath,
    stop: async () => {
      for (const t of timers) t.stop();
      await Promise.all(queues.map((q) => q.stop()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
    },
  };
}
