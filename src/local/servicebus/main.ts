import { readFileSync } from 'node:fs';
import { startBroker } from './broker';
import type { BrokerConfig } from './entities';
import { DEFAULT_BROKER_CONFIG } from './defaultConfig';

/** `npm run servicebus -- [--port N] [--config FILE]`: the local broker standalone; prints one JSON line. */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const configPath = arg('config');
  const config = configPath
    ? (JSON.parse(readFileSync(configPath, 'utf8')) as BrokerConfig)
    : DEFAULT_BROKER_CONFIG;
  const broker = await startBroker(config, { port: Number(arg('port') ?? 0) });
  process.stdout.write(
    `${JSON.stringify({ port: broker.port, connectionString: broker.connectionString, config })}\n`,
  );
  const stop = () => void broker.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`servicebus: ${(error as Error).message}\n`);
  process.exit(1);
});
