import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { OrchestrationContext } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableEngine } from '../../src/local/host/durable/engine';
import { VirtualClock } from '../../src/local/clock';
import { createHttpHandler } from '../../src/local/host/httpRoutes';
import { durableClientData } from '../../src/local/host/durableHttpApi';
import { loadOrCreateKeys, type HostKeys } from '../../src/local/host/keys';
import type { Registration } from '../../src/local/host/functionsCore';

/** Registers 'waiter': an orchestrator that stays Running until event 'go' is raised (or it is terminated). */
export function registerWaiter(engine: DurableEngine): void {
  engine.registerOrchestrator(
    'waiter',
    createOrchestrator(function* (context: OrchestrationContext) {
      return (yield context.df.waitForExternalEvent('go')) as unknown;
    } as never) as never,
  );
}

export interface DoorsHost {
  keys: HostKeys;
  /** What a durableClient input binding receives on this host. */
  clientData: Record<string, unknown>;
  engine: DurableEngine;
  call(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<{ status: number; text: string; headers: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/**
 * The embedded host's real HTTP routes over an in-memory durable engine, with the given functions
 * behind them: for tests of one door. Bound to 127.0.0.1 on a free port.
 */
export async function startDoorsHost(functions: Registration[]): Promise<DoorsHost> {
  const keys = loadOrCreateKeys(join(mkdtempSync(join(tmpdir(), 'bif-doors-')), 'host-keys.json'));
  const engine = new DurableEngine({ dbPath: ':memory:', clock: new VirtualClock({ speed: 1 }) });
  engine.start();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const env = { durableClientData: durableClientData(origin, 'Hub', keys), log: () => undefined };
  server.on(
    'request',
    createHttpHandler({ port, origin, taskHub: 'Hub', engine, keys, functions, env, log: () => undefined }),
  );
  return {
    keys,
    clientData: env.durableClientData,
    engine,
    call: (method, path, options = {}) =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method, path, headers: { ...options.headers } },
          (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
          },
        );
        req.on('error', reject);
        req.end(options.body);
      }),
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await engine.stop();
    },
  };
}
