import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import type { Scenario } from '../../src/local/simulator/scenario';
import { startLocalStandIns } from '../../src/local/standIns';
import type { RunningSimulator } from '../../src/local/simulator/simulator';
import type { RunningBroker } from '../../src/local/servicebus/broker';
import type { RunningAzurite } from '../../src/local/azurite';
import { readScenario } from '../../src/local/simulator/scenario';
import { readKeys, type HostKeys } from '../../src/local/host/keys';
import { ROOT } from './requests';

/**
 * The real pieces for end-to-end and reliability tests: simulator, broker and Azurite in the test
 * process; the embedded host as its own process (so it can be killed with SIGKILL and restarted),
 * following the simulator's clock.
 */
export interface TestWorld {
  dir: string;
  simulator: RunningSimulator;
  broker: RunningBroker;
  azurite: RunningAzurite;
  env: Record<string, string>;
  host?: { process: ChildProcess; origin: string; logs: string[] };
  startHost(): Promise<string>;
  killHost(): Promise<void>;
  enqueue(body: string): Promise<void>;
  queueMessages(queue: string): Promise<string[]>;
  queueLength(queue: string): Promise<number>;
  receiveEvents(max?: number, waitMs?: number): Promise<ServiceBusReceivedMessage[]>;
  getJson<T = any>(path: string): Promise<{ status: number; body: T }>;
  postJson<T = any>(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  waitForStatus(instanceId: string, statuses?: string[], timeoutMs?: number): Promise<any>;
  /** The host's keys (host-keys.json beside its durable db); getJson/postJson send the right one. */
  keys(): HostKeys;
  /** The key a path's door wants, as the local world's own callers send it. */
  keyFor(path: string): string;
  /** A request with no key added: for tests of the doors themselves. */
  fetchRaw(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** The embedded host as its own process (so a test can kill -9 it), following the simulator's clock. */
async function spawnHost(
  dir: string,
  env: Record<string, string>,
  clockFrom: string,
): Promise<NonNullable<TestWorld['host']>> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'dist/local/host/main.js'),
      '--port',
      '0',
      '--db',
      join(dir, 'durable.db'),
      '--clock-from',
      clockFrom,
    ],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: string[] = [];
  child.stderr!.on('data', (c) => logs.push(String(c)));
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { origin: string }).origin);
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${logs.join('')}`)));
  });
  return { process: child, origin, logs };
}

/** The build queue and any queue's messages, through Azurite as a producer sees them. */
function queueDoors(
  queues: QueueServiceClient,
  buildQueue: string,
): Pick<TestWorld, 'enqueue' | 'queueMessages' | 'queueLength'> {
  return {
    async enqueue(body) {
      const queue = queues.getQueueClient(buildQueue);
      await queue.createIfNotExists();
      await queue.sendMessage(Buffer.from(body, 'utf8').toString('base64'));
    },
    async queueMessages(name) {
      // Peek stops at 32 messages; receiving (and hiding) them in pages sees them all.
      const queue = queues.getQueueClient(name);
      if (!(await queue.exists())) return [];
      const texts: string[] = [];
      for (;;) {
        const { receivedMessageItems } = await queue.receiveMessages({
          numberOfMessages: 32,
          visibilityTimeout: 2,
        });
        if (receivedMessageItems.length === 0) break;
        texts.push(...receivedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8')));
      }
      return texts;
    },
    async queueLength(name) {
      const queue = queues.getQueueClient(name);
      return (await queue.exists()) ? ((await queue.getProperties()).approximateMessagesCount ?? 0) : 0;
    },
  };
}

/** Calls to the host over HTTP, each with the key its door wants (read from the host's keys file). */
function httpCalls(
  dir: string,
  self: () => TestWorld,
): Pick<TestWorld, 'keys' | 'keyFor' | 'fetchRaw' | 'getJson' | 'postJson' | 'waitForStatus'> {
  return {
    keys() {
      const keys = readKeys(join(dir, 'host-keys.json'));
      if (!keys) throw new Error(`The host wrote no keys file in ${dir}`);
      return keys;
    },
    keyFor(path) {
      const keys = self().keys();
      const lower = path.toLowerCase();
      if (lower.startsWith('/runtime/webhooks/durabletask')) return keys.systemKeys.durabletask_extension;
      if (lower.startsWith('/runtime/webhooks/eventgrid')) return keys.systemKeys.eventgrid_extension;
      if (lower.startsWith('/admin/')) return keys.masterKey;
      return keys.functionKeys.default;
    },
    fetchRaw(path, init) {
      return fetch(`${self().host!.origin}${path}`, init);
    },
    async getJson(path) {
      const response = await fetch(`${self().host!.origin}${path}`, {
        headers: { 'x-functions-key': self().keyFor(path) },
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async postJson(path, body, headers = {}) {
      const response = await fetch(`${self().host!.origin}${path}`, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: {
          'Content-Type': 'application/json',
          'x-functions-key': self().keyFor(path),
          // What Event Grid sends with every event delivery (the webhook decides by it).
          ...(/^\/runtime\/webhooks\/eventgrid/i.test(path) ? { 'aeg-event-type': 'Notification' } : {}),
          ...headers,
        },
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async waitForStatus(instanceId, statuses = ['Completed', 'Failed', 'Terminated'], timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < deadline) {
        const { status, body } = await self().getJson(
          `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`,
        );
        last = body;
        if (status !== 404 && statuses.includes(body.runtimeStatus)) return body;
        // One local GET: polling often costs little, and every wait ends closer to the status change.
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `${instanceId} did not reach ${statuses.join('/')}: ${JSON.stringify(last)?.slice(0, 500)}\nhost log:\n${self().host?.logs.join('').slice(-3000)}`,
      );
    },
  };
}

/**
 * A test world's data is thrown away, so Azurite need not close gracefully: on SIGTERM it waits for
 * the keep-alive sockets this process still holds, until its stop falls back to SIGKILL 3 s later
 * (3 s per test file). These are the PIDs this world started.
 */
function killAzurite(azurite: RunningAzurite): void {
  for (const pid of [azurite.pid, azurite.tablePid]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function startTestWorld(
  options: { speed?: number; scenario?: Scenario; settings?: Record<string, string> } = {},
): Promise<TestWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'bif-e2e-'));
  const standIns = await startLocalStandIns({
    workDir: dir,
    speed: options.speed ?? 600,
    scenario: options.scenario ?? readScenario('demo'),
    simulatorStatePath: join(dir, 'sim.json'),
    settings: options.settings,
  });
  const { simulator, broker, azurite } = standIns;
  const env = standIns.settings;
  const sb = new ServiceBusClient(broker.connectionString);
  const receiver = sb.createReceiver('bif-events', 'all', { receiveMode: 'receiveAndDelete' });
  const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);

  const world: TestWorld = {
    dir,
    simulator,
    broker,
    azurite,
    env,
    async startHost() {
      world.host = await spawnHost(dir, env, simulator.armUrl);
      return world.host.origin;
    },
    async killHost() {
      const child = world.host?.process;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    ...queueDoors(queues, env.BIF_BUILD_QUEUE!),
    async receiveEvents(max = 100, waitMs = 1000) {
      return receiver.receiveMessages(max, { maxWaitTimeInMs: waitMs });
    },
    ...httpCalls(dir, () => world),
    async stop() {
      await world.killHost();
      await receiver.close();
      await sb.close();
      killAzurite(azurite);
      await standIns.stop();
    },
  };
  return world;
}

/** Requests created by the simulator's record, e.g. pools created (201) per pool id. */
export function createdPools(sim: RunningSimulator): string[] {
  // Pools are created through the management plane: PUT .../batchAccounts/{account}/pools/{pool}.
  const armCreate = /\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)\/pools\/[^/?]+\?/i;
  return sim.recorder
    .since(0)
    .filter((r) => r.service === 'arm' && r.method === 'PUT' && armCreate.test(r.path) && r.status === 200)
    .map((r) => armCreate.exec(r.path)![1]!);
}
