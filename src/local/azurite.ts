import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordOf, type RecordedProcess } from './processes';

/** Azurite's published development account; not a secret. */
export const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  queuePort: number;
  tablePort: number;
  /** Queue and table endpoints (what AzureWebJobsStorage holds locally). */
  connectionString: string;
  /** The table endpoint alone (learned timings). */
  tableConnectionString: string;
  /** The queue service's process. */
  pid: number;
  /** The table service's process. */
  tablePid: number;
  /** Its data folder, which is also in its command line (how a restart recognises an orphan). */
  location: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Azurite exited with code ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() - started > deadlineMs)
      throw new Error(`Azurite did not listen on 127.0.0.1:${port} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The compiled watcher Azurite is started with: beside this file in dist/, or in dist/ when this file
 * runs from src/ (ts-jest). Without a build there is none, and Azurite runs as it comes.
 */
function preload(): string[] {
  const candidates = [
    join(__dirname, 'dieWithParent.js'),
    join(__dirname, '..', '..', 'dist', 'local', 'dieWithParent.js'),
  ];
  const found = candidates.find((file) => existsSync(file));
  return found ? ['--require', found] : [];
}

type Service = 'queue' | 'table';

/** One Azurite service in its own process (Azurite ships each as its own entry point). */
async function startService(
  service: Service,
  port: number,
  location: string,
  timeoutMs: number,
): Promise<ChildProcess> {
  const bin = require.resolve(`azurite/dist/src/${service}/main.js`);
  const child = spawn(
    process.execPath,
    [
      ...preload(),
      bin,
      `--${service}Host`,
      '127.0.0.1',
      `--${service}Port`,
      String(port),
      '--location',
      location,
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
    ],
    // stdin is the pipe the child watches: it closes when this process dies, however it dies.
    { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, BIF_PARENT_PID: String(process.pid) } },
  );
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr += c));
  try {
    await waitForPort(port, child, timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${service}: ${(error as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
  }
  return child;
}

/**
 * SIGINT, not SIGTERM: Azurite's table service closes (and saves its tables) on SIGINT or an IPC
 * 'shutdown' only (Azure/Azurite src/table/main.ts), and a SIGTERM killed it with the last writes unsaved.
 * The queue service closes on either.
 */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/**
 * Starts Azurite's queue service (build requests) and table service (learned timings), from npm, each
 * on a free port of 127.0.0.1 with a time-boxed readiness wait. Used by tests and `npm start`; stopped
 * by the PIDs we started. They die with this process even after a `kill -9` (see dieWithParent), and
 * their folder is kept, so a restart finds the queues and the tables as they were (each service keeps
 * its own files in it).
 */
export async function startAzurite(
  options: { location?: string; port?: number; tablePort?: number; timeoutMs?: number } = {},
): Promise<RunningAzurite> {
  const queuePort = options.port ?? (await freePort());
  let tablePort = options.tablePort ?? (await freePort());
  // Both ports are free now but not held: the same one twice would make one service fail to listen.
  while (tablePort === queuePort && options.tablePort === undefined) tablePort = await freePort();
  const location = options.location ?? mkdtempSync(join(tmpdir(), 'bif-azurite-'));
  const timeoutMs = options.timeoutMs ?? 15_000;
  // Side by side: each takes about a second to load, and every local world (each test file) waits for both.
  const [queue, table] = await Promise.allSettled([
    startService('queue', queuePort, location, timeoutMs),
    startService('table', tablePort, location, timeoutMs),
  ]);
  if (queue.status === 'rejected' || table.status === 'rejected') {
    await Promise.all([queue, table].map((s) => (s.status === 'fulfilled' ? stopChild(s.value) : undefined)));
    throw queue.status === 'rejected' ? queue.reason : (table as PromiseRejectedResult).reason;
  }
  const account = `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY}`;
  return {
    queuePort,
    tablePort,
    pid: queue.value.pid!,
    tablePid: table.value.pid!,
    location,
    connectionString: `${account};QueueEndpoint=http://127.0.0.1:${queuePort}/${DEV_ACCOUNT};TableEndpoint=http://127.0.0.1:${tablePort}/${DEV_ACCOUNT};`,
    tableConnectionString: `${account};TableEndpoint=http://127.0.0.1:${tablePort}/${DEV_ACCOUNT};`,
    stop: async () => {
      await Promise.all([stopChild(queue.value), stopChild(table.value)]);
    },
  };
}

/** Its two processes as the world records them: both found by their data folder after a crash. */
export function azuriteRecords(azurite: RunningAzurite): RecordedProcess[] {
  return [
    recordOf('azurite', azurite.pid, azurite.location),
    recordOf('azurite tables', azurite.tablePid, azurite.location),
  ];
}
