import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock, type ClockMode } from './clock';
import { startHost, type RunningHost } from './host/host';
import { startLocalStandIns } from './standIns';
import type { RunningSimulator } from './simulator/simulator';
import type { RunningBroker } from './servicebus/broker';
import { azuriteRecords, type RunningAzurite } from './azurite';
import type { Scenario } from './simulator/scenario';
import { loadedComposition } from './appComposition';
import { galleryEventsSubscription } from './eventGridWebhook';
import { keepClockSaved, lastSimTime, worldCertificate, worldFiles } from './worldFolder';
import { recordOf, endOrphans, procInfo, readRecords, stillRunning, writeRecords } from './processes';

export interface LocalWorldOptions {
  /** The folder the world lives in (.bif/ for `npm start`): the same files on every start. */
  workDir: string;
  /** Simulated ms per real ms (default 600: one real second is ten simulated minutes). */
  speed?: number;
  /**
   * 'free' (default) or a gated mode that follows the host's durable engine (see clock.ts): the
   * benchmark's 'jump-when-idle' runs every pipeline on the same simulated schedule at any load.
   */
  clockMode?: ClockMode;
  /** ARM's token-bucket throttling in the simulator (default on, like Azure). */
  armThrottling?: boolean;
  scenario?: string | Scenario;
  hostPort?: number;
  simulatorPort?: number;
  /** Extra app settings (e.g. BIF_FACTORY_CONFIG). */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface LocalWorld {
  clock: VirtualClock;
  simulator: RunningSimulator;
  broker: RunningBroker;
  azurite: RunningAzurite;
  host: RunningHost;
  settings: Record<string, string>;
  /** Simulated ms the clock resumed at, when the folder held an earlier run. */
  resumedAtSimMs?: number;
  /** Processes an earlier run left behind (after a kill -9) that this start ended. */
  endedOrphans: { role: string; pid: number }[];
  stop(): Promise<void>;
}

/** Thrown when another live process already runs a world in the same folder. */
export class WorldInUseError extends Error {
  constructor(
    readonly pid: number,
    workDir: string,
  ) {
    super(
      `another local world (pid ${pid}) is running in ${workDir}: stop it (Ctrl-C in its terminal, or kill ${pid}) before starting again`,
    );
  }
}

/**
 * The embedded default: the cloud simulator, Azurite, the local Service Bus broker and the embedded
 * host, all on 127.0.0.1, sharing one virtual clock. The app is the compiled app as deployed; only
 * its settings point at the local stand-ins.
 *
 * The world is one durable place, like the Azure it mirrors: started again on the same folder after
 * any end (Ctrl-C or kill -9) it has the same cloud resources, queues, durable history, undelivered
 * events and simulated time, and the durable engine resumes every unfinished pipeline. Processes an
 * earlier run left behind are ended first.
 */
export async function startLocalWorld(options: LocalWorldOptions): Promise<LocalWorld> {
  const log = options.log ?? (() => undefined);
  // The world holds build inputs (start-task environment values), keys and the simulator's TLS key: its
  // folder is the user's alone, whatever the umask made of the files inside.
  mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
  chmodSync(options.workDir, 0o700);
  const files = worldFiles(options.workDir);

  const records = readRecords(files.processes);
  const running = records.find((r) => r.role === 'world' && r.pid !== process.pid && stillRunning(r));
  if (running) throw new WorldInUseError(running.pid, options.workDir);
  const endedOrphans = (await endOrphans(records)).map(({ role, pid }) => ({ role, pid }));
  for (const o of endedOrphans) log(`ended ${o.role} (pid ${o.pid}) left running by an earlier run`);
  // Recorded before anything starts, so even a crash during start-up leaves a trail to clean.
  const self = recordOf('world', process.pid, procInfo(process.pid)?.cmdline ?? process.argv.join(' '));
  writeRecords(files.processes, [self]);

  const resumedAtSimMs = lastSimTime(options.workDir);
  const clock = worldClock(options, resumedAtSimMs);
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
    simulatorStatePath: files.simulatorState,
    simulatorCertificate: worldCertificate(files.simulatorCertificate),
    requestLogPath: files.requestLog,
    armThrottling: options.armThrottling,
    azuriteDir: files.azurite,
    brokerStatePath: files.broker,
    settings: options.settings,
  });
  writeRecords(files.processes, [self, ...azuriteRecords(azurite)]);
  // The simulator may have answered a read after the last clock save: never let time run behind it.
  const lastAnswered = Date.parse(simulator.recorder.lastSimTime ?? '');
  if (lastAnswered > clock.nowMs()) clock.advance(lastAnswered - clock.nowMs());
  const stopClock = keepClockSaved(clock, files.clock);
  Object.assign(process.env, settings);

  const root = join(__dirname, '..', '..');
  const host = await startHost({
    appRoot: root,
    hostJsonPath: join(root, 'host.json'),
    port: options.hostPort ?? 0,
    clock,
    dbPath: files.durableDb,
    log,
  });
  if (clock.mode !== 'free') clock.follow(host.engine);
  // Activities tell time by the same virtual clock as the simulator and the durable timers.
  loadedComposition(root).overrideServices({ clock: { now: () => clock.now() } });
  // Gallery changes reach the app as Azure delivers them: Event Grid → the host's webhook.
  await simulator.eventGrid.subscribe(
    galleryEventsSubscription(host.origin, host.keys.systemKeys.eventgrid_extension),
  );

  return {
    clock,
    simulator,
    broker,
    azurite,
    host,
    settings,
    resumedAtSimMs,
    endedOrphans,
    stop: async () => {
      await host.stop();
      await stopStandIns();
      stopClock();
      // A clean stop leaves nothing running: no record for the next start to check.
      rmSync(files.processes, { force: true });
    },
  };
}

/** The world's one clock, resumed where the last run left simulated time. */
function worldClock(options: LocalWorldOptions, startSimMs: number | undefined): VirtualClock {
  return new VirtualClock({ speed: options.speed ?? 600, startSimMs, mode: options.clockMode });
}
