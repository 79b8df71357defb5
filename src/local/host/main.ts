import { join } from 'node:path';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { VirtualClock, type ClockAnchor } from '../clock';
import { startHost } from './host';
import { loadedComposition } from '../appComposition';

/**
 * The embedded host alone, as a process: `node dist/local/host/main.js [--port N] [--db FILE]
 * [--clock-from https://simulator]`. Settings come from the environment (as app settings do in
 * Azure). With --clock-from it follows the simulator's virtual clock; otherwise real time.
 * Prints one JSON line {"origin": ...} when serving.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fetchAnchor(simulatorUrl: string, caPath?: string): Promise<ClockAnchor> {
  return new Promise((resolve, reject) => {
    request(
      `${simulatorUrl}/_sim/clock`,
      { ca: caPath ? readFileSync(caPath, 'utf8') : undefined },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          // A gated simulator clock answers 409 (ClockNotFollowable): following it would run ahead of it.
          const body = JSON.parse(text) as { anchor?: ClockAnchor; error?: { message?: string } };
          if (res.statusCode === 200 && body.anchor) resolve(body.anchor);
          else
            reject(
              new Error(`--clock-from ${simulatorUrl}: ${body.error?.message ?? `HTTP ${res.statusCode}`}`),
            );
        });
      },
    )
      .on('error', reject)
      .end();
  });
}

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..', '..');
  const clockFrom = arg('clock-from');
  const clock = clockFrom
    ? VirtualClock.fromAnchor(await fetchAnchor(clockFrom, process.env.BIF_SIMULATOR_CA_PATH))
    : new VirtualClock({ speed: 1 });
  const host = await startHost({
    appRoot: root,
    hostJsonPath: join(root, 'host.json'),
    port: Number(arg('port') ?? 7071),
    clock,
    dbPath: arg('db') ?? join(root, '.bif', 'durable.db'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (clockFrom) {
    loadedComposition(root).overrideServices({ clock: { now: () => clock.now() } });
  }
  process.stdout.write(`${JSON.stringify({ origin: host.origin, pid: process.pid })}\n`);
  const stop = () => void host.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`host: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
