import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrchestrationContext } from 'durable-functions';
import type { DurableEngine } from '../../../src/local/host/durable/engine';
import type { VirtualClock } from '../../../src/local/clock';
import { createHttpHandler } from '../../../src/local/host/httpRoutes';
import { holdOf } from '../../../src/local/host/clockHold';
import { TimerTrigger } from '../../../src/local/host/timerTrigger';
import type { InvokeEnvironment } from '../../../src/local/host/invoke';
import type { Registration } from '../../../src/local/host/functionsCore';
import { loadOrCreateKeys } from '../../../src/local/host/keys';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineWith } from '../../helpers/engine';

/**
 * On a 'jump-when-idle' clock, work the engine cannot see — a trigger's function, an HTTP request on
 * its way to the engine — holds the clock, or time jumps past what that work is about to do. The
 * reviewer's case: an orchestration races event 'go' against a 1-hour timer, and 'go' is raised a
 * few real ms later by such a path. It must win, with no simulated time passed.
 */
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function race(context: OrchestrationContext): Generator<unknown, unknown, any> {
  return (function* () {
    const deadline = new Date(context.df.currentUtcDateTime.getTime() + HOUR);
    const go = context.df.waitForExternalEvent('go');
    const timer = context.df.createTimer(deadline);
    const winner = yield context.df.Task.any([go, timer]);
    if (winner === go) timer.cancel();
    return { winner: winner === go ? 'event' : 'timer', at: context.df.currentUtcDateTime.getTime() };
  })();
}

async function settled(engine: DurableEngine, id: string): Promise<{ winner: string; at: number }> {
  for (;;) {
    const status = engine.status(id);
    if (status?.runtimeStatus === 'Completed') return status.output as { winner: string; at: number };
    await sleep(2);
  }
}

/** Starts the race with the clock held, and returns once the orchestration waits (engine idle). */
async function startRace(
  engine: DurableEngine,
  clock: VirtualClock,
): Promise<{ id: string; release: () => void; started: number }> {
  const release = clock.hold();
  const started = clock.nowMs();
  const id = engine.startNew('race', 'race-1', {});
  while (!engine.idle || engine.status(id)?.runtimeStatus !== 'Running') await sleep(1);
  return { id, release, started };
}

let world: ReturnType<typeof engineWith>;
beforeEach(() => {
  world = engineWith({ race }, {}, ':memory:', 'jump-when-idle');
});
afterEach(() => world.engine.stop());

const raiser = (name: string, trigger: Record<string, unknown>, id: () => string): Registration => ({
  name,
  bindings: { trigger: { ...trigger, direction: 'in' } as never },
  trigger: { ...(trigger as { type: string }), direction: 'in', name: 'trigger' },
  handler: async () => {
    await sleep(5); // the function's own I/O: real time the engine cannot see
    world.engine.raiseEvent(id(), 'go', null);
    return { status: 202 };
  },
});

it("a timer trigger's function holds a jump clock until it has run", async () => {
  const { engine, clock } = world;
  const { id, release, started } = await startRace(engine, clock);
  const env: InvokeEnvironment = { durableClientData: {}, log: () => undefined, hold: holdOf(clock) };
  // Every minute: the next one is the earliest alarm, so the jump goes there first.
  const trigger = new TimerTrigger(
    raiser('everyMinute', { type: 'timerTrigger', schedule: '0 * * * * *' }, () => id),
    clock,
    env,
  );
  trigger.start();
  release();
  const outcome = await settled(engine, id);
  trigger.stop();
  expect(outcome.winner).toBe('event');
  expect(outcome.at - started).toBeLessThanOrEqual(60_000);
});

it('an HTTP request holds a jump clock from its arrival until it is answered', async () => {
  const { engine, clock } = world;
  const { id, release, started } = await startRace(engine, clock);
  const dir = mkdtempSync(join(tmpdir(), 'bif-holds-'));
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  // The test's own hold covers the request on the wire; it ends as the host starts handling it.
  server.on('request', () => release());
  server.on(
    'request',
    createHttpHandler({
      port,
      origin,
      taskHub: 'Hub',
      engine,
      keys: loadOrCreateKeys(join(dir, 'keys.json')),
      functions: [
        raiser(
          'go',
          { type: 'httpTrigger', route: 'go', methods: ['POST'], authLevel: 'anonymous' },
          () => id,
        ),
      ],
      env: { durableClientData: {}, log: () => undefined, hold: holdOf(clock) },
      log: () => undefined,
    }),
  );
  try {
    const answer = await fetch(`${origin}/api/go`, { method: 'POST', body: 'x' });
    expect(answer.status).toBe(202);
    const outcome = await settled(engine, id);
    expect(outcome).toEqual({ winner: 'event', at: started });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

it('holds nothing on a clock without hold (real time, engine-only clocks)', async () => {
  const release = holdOf({})();
  expect(release()).toBeUndefined();
});
