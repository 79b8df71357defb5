import { VirtualClock } from '../clock';
import { makeLocalCertificate, type LocalCertificate } from '../tls';
import { writeResponse } from './http';
import { World } from './world';
import { readScenario, seedWorld, type Scenario } from './scenario';
import { RequestRecorder } from './recorder';
import type { FaultRule } from './faults';
import { armError } from './arm/armErrors';
import type { ArmOptions } from './arm/armRequest';
import { SimulatedEventGrid } from './eventGrid';
import { ArmThrottle } from './armThrottle';
import { ControlRoutes, clockInfo, type SimulatorInfo } from './controlRoutes';
import { Endpoints } from './endpoints';
import { RequestRouter } from './requestRouter';

export interface SimulatorOptions {
  port?: number;
  /** Simulated milliseconds per real millisecond (600 = 1 real second is 10 simulated minutes). */
  speed?: number;
  /** A scenario file or the name of a bundled one (default "demo"). */
  scenario?: string | Scenario;
  /** Save the world here after every change and reload it at start. */
  statePath?: string;
  /** Append every request here (JSON lines) and read them back at start, so GET /_sim/requests spans restarts. */
  requestLogPath?: string;
  /** Share a clock with the embedded host. */
  clock?: VirtualClock;
  certificate?: LocalCertificate;
  /** Turn ARM's token-bucket throttling off (it is on by default, like Azure). */
  throttling?: boolean;
}

export interface RunningSimulator {
  armUrl: string;
  batchAccounts: Record<string, string>;
  caCert: string;
  clock: VirtualClock;
  world: World;
  recorder: RequestRecorder;
  /** Event Grid system topics: ARM writes become events delivered to webhook subscriptions. */
  eventGrid: SimulatedEventGrid;
  port: number;
  /** Base URL of the Batch data plane of one account. */
  batchUrl(accountName: string): string;
  addFault(rule: FaultRule): FaultRule;
  stop(): Promise<void>;
}

/** Starts the cloud simulator on 127.0.0.1 over HTTPS. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clock = options.clock ?? new VirtualClock({ speed: options.speed ?? 1 });
  const scenario =
    typeof options.scenario === 'object' ? options.scenario : readScenario(options.scenario ?? 'demo');
  const world = openWorld(clock, scenario, options);
  const recorder = new RequestRecorder(options.requestLogPath);
  const eventGrid = new SimulatedEventGrid(world, clock);
  const endpoints = new Endpoints(options.certificate ?? makeLocalCertificate());
  const info = (): SimulatorInfo => ({
    arm: endpoints.origin,
    batchAccounts: Object.fromEntries(
      Object.values(world.state.batchAccounts).map((a) => [a.name, endpoints.batchUrl(a.name)]),
    ),
    ...clockInfo(clock),
  });
  const router = new RequestRouter({
    world,
    recorder,
    eventGrid,
    throttle: new ArmThrottle(clock, options.throttling ?? true),
    control: new ControlRoutes(world, recorder, info, options.statePath),
    endpoints,
    armOptions: armOptions(endpoints, scenario, clock),
  });
  await endpoints.listen(options.port, Object.keys(world.state.batchAccounts), (req, res, account) => {
    router.handle(req, res, account).catch((error: unknown) => {
      writeResponse(res, armError(500, 'SimulatorError', (error as Error).stack ?? String(error)));
    });
  });

  return {
    armUrl: endpoints.origin,
    batchAccounts: info().batchAccounts,
    caCert: endpoints.certificate.cert,
    clock,
    world,
    recorder,
    eventGrid,
    port: endpoints.port,
    batchUrl: (name) => endpoints.batchUrl(name),
    addFault: (rule) => {
      const added = world.addFault(rule);
      world.changed();
      return added;
    },
    stop: async () => {
      world.save();
      eventGrid.delivery.stop();
      await endpoints.close();
    },
  };
}

/** The saved world when there is one (resuming simulated time where it left off), else the scenario's. */
function openWorld(clock: VirtualClock, scenario: Scenario, options: SimulatorOptions): World {
  const saved = options.statePath ? World.load(options.statePath) : undefined;
  if (saved?.savedAtSimMs !== undefined && !options.clock && saved.savedAtSimMs > clock.nowMs()) {
    // Resume simulated time where the saved world left it, so nothing appears to run backwards.
    clock.advance(saved.savedAtSimMs - clock.nowMs());
  }
  const world = new World(clock, options.statePath, saved ?? seedWorld(scenario, clock.nowMs()));
  world.timing = scenario.timing ?? {};
  world.changed();
  return world;
}

function armOptions(endpoints: Endpoints, scenario: Scenario, clock: VirtualClock): ArmOptions {
  return {
    get origin() {
      return endpoints.origin;
    },
    pageSize: scenario.pageSize ?? 10,
    timing: scenario.timing ?? {},
    // Azure asks for ~15 s between polls; clients read Retry-After as real seconds, so scale it, but never below 1.
    retryAfterSeconds: () => String(Math.max(1, Math.ceil(15 / clock.speed))),
  };
}
