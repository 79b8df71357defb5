import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from './clock';
import { startHost, type RunningHost } from './host/host';
import { startLocalStandIns } from './standIns';
import type { RunningSimulator } from './simulator/simulator';
import type { RunningBroker } from './servicebus/broker';
import type { RunningAzurite } from './azurite';
import type { Scenario } from './simulator/scenario';
import { loadedComposition } from './appComposition';

export interface LocalWorldOptions {
  /** Where state, logs and the CA file go (default .bif/). */
  workDir: string;
  /** Simulated ms per real ms (default 600: one real second is ten simulated minutes). */
  speed?: number;
  scenario?: string | Scenario;
  hostPort?: number;
  simulatorPort?: number;
  /** Extra app settings (e.g. BIF_FACTORY_CONFIG). */
  settings?: Record<string, string>;
  log?: (line: string) => void;
  /** Keep durable and simulator state across runs (files in workDir); default is a fresh world. */
  persist?: boolean;
}

export interface LocalWorld {
  clock: VirtualClock;
  simulator: RunningSimulator;
  broker: RunningBroker;
  azurite: RunningAzurite;
  host: RunningHost;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The embedded default: the cloud simulator, Azurite, the local Service Bus broker and the embedded
 * host, all on 127.0.0.1, sharing one virtual clock. The app is the compiled app as deployed; only
 * its settings point at the local stand-ins.
 */
export async function startLocalWorld(options: LocalWorldOptions): Promise<LocalWorld> {
  const log = options.log ?? (() => undefined);
  mkdirSync(options.workDir, { recursive: true });
  const clock = new VirtualClock({ speed: options.speed ?? 600 });
  const stamp = options.persist ? '' : `-${process.pid}-${Date.now().toString(36)}`;
  const {
    simulator,
    broker,
    azurite,
    settings,
    stop: stopStandIns,
  } = await startLocalStandIns({
    workDir: options.workDir,
    clock,
    scenario: options.scenario,
    simulatorPort: options.simulatorPort,
    simulatorStatePath: options.persist ? join(options.workDir, 'simulator-state.json') : undefined,
    azuriteDir: join(options.workDir, `azurite${stamp}`),
    settings: options.settings,
  });
  Object.assign(process.env, settings);

  const root = join(__dirname, '..', '..');
  const host = await startHost({
    appRoot: root,
    hostJsonPath: join(root, 'host.json'),
    port: options.hostPort ?? 0,
    clock,
    dbPath: join(options.workDir, `durable${stamp}.db`),
    log,
  });
  // Activities tell time by the same virtual clock as the simulator and the durable timers.
  loadedComposition(root).overrideServices({ clock: { now: () => clock.now() } });

  return {
    clock,
    simulator,
    broker,
    azurite,
    host,
    settings,
    stop: async () => {
      await host.stop();
      await stopStandIns();
    },
  };
}
