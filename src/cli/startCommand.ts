import { appendFileSync, readFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { ServiceBusClient } from '@azure/service-bus';
import { startLocalWorld, type LocalWorld } from '../local/localWorld';
import { worldFiles } from '../local/worldFolder';
import { startHost } from '../local/host/host';
import { VirtualClock } from '../local/clock';
import { SETTINGS } from '../config/settings';
import { arg, saveLocalState, WORK_DIR } from './localState';
import { fetchBuild, watchBuild } from './progress';
import type { CommandResult } from './planCommand';

const ROOT = join(__dirname, '..', '..');
const DEFAULT_REQUEST = join(ROOT, 'examples', 'three-regions-3000-nodes.json');
const LOG_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * `bif start [--target simulator|azure] [--once] [--speed S] [--request FILE] [--no-submit] [--port N]`.
 * simulator (default): the whole local world, then the bundled example through the queue with live
 * progress and the events read back from Service Bus. azure: the host alone against real endpoints
 * with settings from local.settings.json and DefaultAzureCredential.
 */
export async function startCommand(args: string[]): Promise<CommandResult> {
  const target = arg(args, 'target') ?? 'simulator';
  if (target === 'azure') return startAgainstAzure(args);
  if (target !== 'simulator')
    return { exitCode: 2, stdout: `--target must be "simulator" or "azure", not "${target}".\n` };

  const speed = Number(arg(args, 'speed') ?? 600);
  const once = args.includes('--once');
  const log = openHostLog();
  log(`bif start (pid ${process.pid}) ${args.join(' ')}`);
  let world: LocalWorld;
  try {
    world = await startLocalWorld({
      workDir: WORK_DIR,
      speed,
      hostPort: await portOr(Number(arg(args, 'port') ?? 7071)),
      log,
    });
  } catch (error) {
    log(`could not start: ${(error as Error).stack ?? String(error)}`);
    return { exitCode: 1, stdout: `Could not start the local world: ${(error as Error).message}\n` };
  }
  const topic = world.settings[SETTINGS.eventsTopic.name]!;
  saveLocalState({
    hostOrigin: world.host.origin,
    serviceBusConnection: world.broker.connectionString,
    eventsTopic: topic,
    pid: process.pid,
    keysPath: world.host.keysPath,
    tableConnection: world.azurite.tableConnectionString,
  });
  out(banner(world, speed, topic));

  // Ctrl-C at any point stops the world cleanly (a kill -9 is covered by the next start).
  const signalled = new Promise<'signal'>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
  });
  let exitCode = 0;
  if (!args.includes('--no-submit')) {
    const watched = await submitAndWatch(world, args, topic, signalled);
    if ('stopped' in watched) return watched.stopped;
    exitCode = watched.exitCode;
  }
  if (once) {
    await world.stop();
    return { exitCode, stdout: '' };
  }
  out(`Serving until Ctrl-C. Try: node dist/cli/bif.js status <requestId>, bif submit <file>, bif events.\n`);
  await signalled;
  await world.stop();
  return { exitCode, stdout: '' };
}

function out(text: string): void {
  process.stdout.write(text);
}

/** The host's log in .bif/, appended line by line, so whatever the host said before a crash is there after it. */
function openHostLog(): (line: string) => void {
  const files = worldFiles(WORK_DIR);
  mkdirSync(WORK_DIR, { recursive: true });
  // The world is kept across starts; its log is not allowed to grow without bound.
  if (existsSync(files.hostLog) && statSync(files.hostLog).size > LOG_LIMIT_BYTES)
    renameSync(files.hostLog, `${files.hostLog}.1`);
  return (line: string) => appendFileSync(files.hostLog, `${new Date().toISOString()} ${line}\n`);
}

/** What is running where, and whether an earlier world was resumed. */
function banner(world: LocalWorld, speed: number, topic: string): string {
  const resumed =
    world.resumedAtSimMs === undefined
      ? []
      : [
          `  resumed      the world in .bif/ at simulated ${world.clock.now().toISOString()}; unfinished pipelines continue${world.endedOrphans.length ? ` (ended ${world.endedOrphans.map((o) => `${o.role} pid ${o.pid}`).join(', ')} left by the last run)` : ''}`,
        ];
  return [
    `batch-image-factory — local world (simulated Azure; 1 real second = ${formatSim(speed * 1000)})`,
    ...resumed,
    `  host         ${world.host.origin}   (${world.host.functions.length} functions)`,
    // The local function key opens the page; the page sends it back on every status call.
    `  dashboard    ${world.host.origin}/api/dashboard?code=${encodeURIComponent(world.host.keys.functionKeys.default)}`,
    `  simulator    ${world.simulator.armUrl}   (Batch: ${Object.keys(world.simulator.batchAccounts).join(', ')})`,
    `  Azurite      queue port ${world.azurite.queuePort}, table port ${world.azurite.tablePort} (learned timings)`,
    `  Service Bus  127.0.0.1:${world.broker.port}   topic ${topic}`,
    `  logs         .bif/host.log   (bif clean removes the whole world)`,
    '',
  ].join('\n');
}

/**
 * Submits the request through the build queue (unless an earlier start already did), follows it to
 * its end, and prints the events it published; a signal on the way stops the world.
 */
async function submitAndWatch(
  world: LocalWorld,
  args: string[],
  topic: string,
  signalled: Promise<'signal'>,
): Promise<{ exitCode: number } | { stopped: CommandResult }> {
  const file = arg(args, 'request') ?? DEFAULT_REQUEST;
  const text = readFileSync(file, 'utf8');
  const requestId = (JSON.parse(text) as { requestId: string }).requestId;
  await submitOnce(world, file, text, requestId);
  const startedReal = Date.now();
  const startedSim = world.clock.nowMs();
  const watching = watchBuild(
    world.host.origin,
    requestId,
    out,
    300,
    undefined,
    world.host.keys.functionKeys.default,
  );
  watching.catch(() => undefined); // after a stop, its next poll fails: nobody is waiting for it then
  const watched = await Promise.race([watching, signalled]);
  if (watched === 'signal') {
    await world.stop();
    return {
      stopped: {
        exitCode: 130,
        stdout: `\nStopped. \`npm start\` again continues ${requestId} where it is.\n`,
      },
    };
  }
  const view = watched;
  const events = await readEvents(world.broker.connectionString, topic);
  out(`\nEvents on Service Bus (${topic}/all):\n${events.map((e) => `  ${e}`).join('\n') || '  (none)'}\n\n`);
  const took = `${((Date.now() - startedReal) / 1000).toFixed(1)} s (${formatSim(world.clock.nowMs() - startedSim)} simulated)`;
  const completed = view?.runtimeStatus === 'Completed';
  out(
    `${completed ? `Pipeline completed in ${took}.` : `Pipeline did not complete (${view?.runtimeStatus ?? 'no status'}): ${view?.pipeline?.error ?? 'see .bif/host.log'}`}\n`,
  );
  return { exitCode: completed ? 0 : 1 };
}

/** Started again after a stop or a crash, the pipeline is already in the durable store and resumes. */
async function submitOnce(world: LocalWorld, file: string, text: string, requestId: string): Promise<void> {
  const queueName = world.settings[SETTINGS.buildQueue.name]!;
  const earlier = await fetchBuild(world.host.origin, requestId, world.host.keys.functionKeys.default);
  if (earlier) {
    out(`Request ${requestId} was submitted before this start (${earlier.runtimeStatus}): watching it\n\n`);
    return;
  }
  const queue = QueueServiceClient.fromConnectionString(world.azurite.connectionString).getQueueClient(
    queueName,
  );
  await queue.createIfNotExists();
  await queue.sendMessage(Buffer.from(text, 'utf8').toString('base64'));
  out(`Submitted ${file.replace(`${ROOT}/`, '')} to queue ${queueName} (request ${requestId})\n\n`);
}

/** The host alone, against Azure: settings from local.settings.json, DefaultAzureCredential. */
async function startAgainstAzure(args: string[]): Promise<CommandResult> {
  const settingsFile = join(process.cwd(), 'local.settings.json');
  if (!existsSync(settingsFile))
    return {
      exitCode: 2,
      stdout: 'local.settings.json is missing: copy local.settings.sample.json and fill it in.\n',
    };
  const values =
    (JSON.parse(readFileSync(settingsFile, 'utf8')) as { Values?: Record<string, string> }).Values ?? {};
  for (const [k, v] of Object.entries(values))
    if (v !== '' && process.env[k] === undefined) process.env[k] = v;
  process.env.BIF_TARGET = 'azure';
  const host = await startHost({
    appRoot: ROOT,
    hostJsonPath: join(ROOT, 'host.json'),
    port: Number(arg(args, 'port') ?? 7071),
    clock: new VirtualClock({ speed: 1 }),
    dbPath: join(WORK_DIR, 'durable-azure.db'),
  });
  saveLocalState({ hostOrigin: host.origin, keysPath: host.keysPath });
  process.stdout.write(`Embedded host against Azure on ${host.origin}. Ctrl-C to stop.\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await host.stop();
  return { exitCode: 0, stdout: '' };
}

async function readEvents(connectionString: string, topic: string): Promise<string[]> {
  const client = new ServiceBusClient(connectionString);
  const receiver = client.createReceiver(topic, 'all', { receiveMode: 'receiveAndDelete' });
  const lines: string[] = [];
  try {
    for (;;) {
      const batch = await receiver.receiveMessages(50, { maxWaitTimeInMs: 700 });
      if (batch.length === 0) break;
      for (const m of batch) {
        const e = m.body as { type: string; subject: string; data: Record<string, unknown> };
        const what =
          (e.data.poolId as string | undefined) ??
          (e.data.region as string | undefined) ??
          (e.data.version as string | undefined) ??
          e.subject.split('/').slice(-1)[0];
        lines.push(`${e.type.replace('BatchImageFactory.', '').padEnd(19)} ${what}   id ${m.messageId}`);
      }
    }
  } finally {
    await receiver.close();
    await client.close();
  }
  return lines;
}

function formatSim(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

/** The wanted port when free, else any free one. */
async function portOr(wanted: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(wanted, '127.0.0.1', () => probe.close(() => resolve(wanted)));
  });
}
