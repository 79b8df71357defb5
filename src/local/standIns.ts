import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualClock } from './clock';
import { startSimulator, type RunningSimulator } from './simulator/simulator';
import { startBroker, type RunningBroker } from './servicebus/broker';
import { DEFAULT_BROKER_CONFIG } from './servicebus/defaultConfig';
import { startAzurite, type RunningAzurite } from './azurite';
import { localAppSettings } from './localSettings';
import type { Scenario } from './simulator/scenario';
import type { LocalCertificate } from './tls';

export interface LocalStandIns {
  simulator: RunningSimulator;
  broker: RunningBroker;
  azurite: RunningAzurite;
  /** The app settings pointing at them (like local.settings.json). */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The local stand-ins for Azure — cloud simulator, local Service Bus broker, Azurite — started
 * together, with the simulator's CA written where the app can read it and the settings that point the
 * app at all three. `npm start` and the end-to-end tests both start their world from here.
 */
export async function startLocalStandIns(options: {
  workDir: string;
  clock?: VirtualClock;
  speed?: number;
  scenario?: string | Scenario;
  simulatorPort?: number;
  simulatorStatePath?: string;
  simulatorCertificate?: LocalCertificate;
  /** Keep the simulator's request record here across restarts. */
  requestLogPath?: string;
  /** ARM's token-bucket throttling in the simulator (default on, like Azure). */
  armThrottling?: boolean;
  azuriteDir?: string;
  azuritePort?: number;
  brokerPort?: number;
  /** Keep the broker's messages here across restarts. */
  brokerStatePath?: string;
  settings?: Record<string, string>;
}): Promise<LocalStandIns> {
  const simulator = await startSimulator({
    clock: options.clock,
    speed: options.speed,
    scenario: options.scenario ?? 'demo',
    port: options.simulatorPort,
    statePath: options.simulatorStatePath,
    certificate: options.simulatorCertificate,
    requestLogPath: options.requestLogPath,
    throttling: options.armThrottling,
  });
  const broker = await startBroker(DEFAULT_BROKER_CONFIG, {
    port: options.brokerPort,
    statePath: options.brokerStatePath,
  });
  const azurite = await startAzurite({
    location: options.azuriteDir ?? join(options.workDir, 'azurite'),
    port: options.azuritePort,
  });
  const caPath = join(options.workDir, 'simulator-ca.pem');
  writeFileSync(caPath, simulator.caCert);
  const settings = localAppSettings(
    {
      armUrl: simulator.armUrl,
      batchAccounts: simulator.batchAccounts,
      caPath,
      storageConnection: azurite.connectionString,
      tableConnection: azurite.tableConnectionString,
      serviceBusConnection: broker.connectionString,
    },
    options.settings,
  );
  return {
    simulator,
    broker,
    azurite,
    settings,
    stop: async () => {
      await azurite.stop();
      await broker.stop();
      await simulator.stop();
    },
  };
}
