import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startSimulator } from './simulator';

/**
 * `npm run sim -- [--port N] [--speed S] [--scenario FILE|NAME] [--state FILE]`: runs the simulator
 * standalone and prints one JSON line: { arm, batchAccounts, caCertPath }.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const speed = Number(arg('speed') ?? 1);
  const port = Number(arg('port') ?? 0);
  if (!(speed > 0))
    throw new Error('--speed must be a positive number (e.g. 600: one real second is ten simulated minutes)');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('--port must be a TCP port number');
  const sim = await startSimulator({ port, speed, scenario: arg('scenario'), statePath: arg('state') });
  const dir = join(tmpdir(), `bif-sim-${sim.port}`);
  mkdirSync(dir, { recursive: true });
  const caCertPath = join(dir, 'ca.pem');
  writeFileSync(caCertPath, sim.caCert);
  process.stdout.write(
    `${JSON.stringify({ arm: sim.armUrl, batchAccounts: sim.batchAccounts, caCertPath })}\n`,
  );
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${(error as Error).message}\n`);
  process.exit(1);
});
