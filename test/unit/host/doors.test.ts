import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DurableEngine } from '../../../src/local/host/durable/engine';
import { VirtualClock } from '../../../src/local/clock';
import { createHttpHandler } from '../../../src/local/host/httpRoutes';
import { durableClientData } from '../../../src/local/host/durableHttpApi';
import { loadOrCreateKeys, type HostKeys } from '../../../src/local/host/keys';
import type { Registration } from '../../../src/local/host/functionsCore';
import { REDACTED } from '../../../src/local/host/redact';
import { registerWaiter } from '../../helpers/hostDoors';

/**
 * Every door of the embedded host, as the Functions host guards it: keys per door, local callers
 * only, body limits at the layer that reads the body, and caller errors as 4xx (never 500).
 * Fake functions stand behind the doors; the doors are the real ones.
 */
const received: { name: string; input: unknown }[] = [];
const registration = (name: string, trigger: Record<string, unknown>): Registration => ({
  name,
  bindings: { trigger: { ...trigger, direction: 'in' } as never },
  trigger: { ...(trigger as { type: string }), direction: 'in', name: 'trigger' },
  handler: async (input: unknown) => {
    const text =
      input && typeof (input as Request).text === 'function' ? await (input as Request).text() : input;
    received.push({ name, input: text });
    return { status: 200, jsonBody: { ok: true } };
  },
});
const FUNCTIONS = [
  registration('submitBuild', {
    type: 'httpTrigger',
    route: 'builds',
    methods: ['POST'],
    authLevel: 'function',
  }),
  registration('buildStatus', {
    type: 'httpTrigger',
    route: 'builds/{id}',
    methods: ['GET'],
    authLevel: 'function',
  }),
  registration('ping', { type: 'httpTrigger', route: 'ping', methods: ['GET'], authLevel: 'anonymous' }),
  registration('galleryEvents', { type: 'eventGridTrigger' }),
];

let server: Server;
let port: number;
let keys: HostKeys;
let keysPath: string;
let engine: DurableEngine;
let clientData: Record<string, any>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bif-doors-'));
  keysPath = join(dir, 'host-keys.json');
  keys = loadOrCreateKeys(keysPath);
  engine = new DurableEngine({ dbPath: ':memory:', clock: new VirtualClock({ speed: 1 }) });
  // An orchestrator that waits for an event: it stays Running until raised or terminated.
  registerWaiter(engine);
  engine.start();
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  clientData = durableClientData(origin, 'Hub', keys);
  server.on(
    'request',
    createHttpHandler({
      port,
      origin,
      taskHub: 'Hub',
      engine,
      keys,
      functions: FUNCTIONS,
      env: { durableClientData: clientData, log: () => undefined },
      log: () => undefined,
    }),
  );
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await engine.stop();
});

/** A raw request, so tests can set Host and send bodies fetch would refuse. */
function call(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        // Event Grid always says what a delivery is; these tests are about keys, sizes and errors.
        headers: {
          ...(/eventgrid/i.test(path) ? { 'aeg-event-type': 'Notification' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
const json = { 'content-type': 'application/json' };
const withKey = (key: string, extra: Record<string, string> = {}) => ({ 'x-functions-key': key, ...extra });

describe('keys per door', () => {
  const table: [door: string, method: string, path: string, right: () => string, body: string | undefined][] =
    [
      ['function route (authLevel function)', 'POST', '/api/builds', () => keys.functionKeys.default, '{}'],
      [
        'Durable HTTP API',
        'GET',
        '/runtime/webhooks/durabletask/instances',
        () => keys.systemKeys.durabletask_extension,
        undefined,
      ],
      [
        'Event Grid webhook',
        'POST',
        '/runtime/webhooks/eventgrid?functionName=galleryEvents',
        () => keys.systemKeys.eventgrid_extension,
        '[{"eventType":"x","data":{}}]',
      ],
      ['admin API', 'GET', '/admin/host/status', () => keys.masterKey, undefined],
    ];
  it.each(table)(
    '%s: no key → 401, a wrong key → 401, the right key → served',
    async (_door, method, path, right, body) => {
      const headers = body ? json : {};
      expect((await call(method, path, { headers, body })).status).toBe(401);
      expect((await call(method, path, { headers: withKey('not-the-key', headers), body })).status).toBe(401);
      // Event Grid's extension answers a delivered batch with 202; the other doors with 200.
      const served = path.includes('/eventgrid') ? 202 : 200;
      const ok = await call(method, path, { headers: withKey(right(), headers), body });
      expect(ok.status).toBe(served);
      const sep = path.includes('?') ? '&' : '?';
      expect(
        (await call(method, `${path}${sep}code=${encodeURIComponent(right())}`, { headers, body })).status,
      ).toBe(served);
    },
  );
});

describe('keys per door', () => {
  it('each system key opens only its own webhook; a function key opens no webhook; the master key opens all', async () => {
    const list = '/runtime/webhooks/durabletask/instances';
    const grid = '/runtime/webhooks/eventgrid?functionName=galleryEvents';
    const event = '[{"eventType":"x","data":{}}]';
    expect((await call('GET', list, { headers: withKey(keys.systemKeys.eventgrid_extension) })).status).toBe(
      401,
    );
    expect((await call('GET', list, { headers: withKey(keys.functionKeys.default) })).status).toBe(401);
    expect(
      (
        await call('POST', grid, {
          headers: withKey(keys.systemKeys.durabletask_extension, json),
          body: event,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call('POST', '/api/builds', {
          headers: withKey(keys.systemKeys.eventgrid_extension, json),
          body: '{}',
        })
      ).status,
    ).toBe(401);
    expect((await call('GET', list, { headers: withKey(keys.masterKey) })).status).toBe(200);
    expect(
      (await call('POST', '/api/builds', { headers: withKey(keys.masterKey, json), body: '{}' })).status,
    ).toBe(200);
  });

  it('an anonymous route needs no key', async () => {
    expect((await call('GET', '/api/ping')).status).toBe(200);
  });

  it('the durable client data carries the system key, so the app calls the API without anyone typing it', async () => {
    const key = encodeURIComponent(keys.systemKeys.durabletask_extension);
    expect(clientData.managementUrls.statusQueryGetUri).toContain(`code=${key}`);
    // The library resolves `instances/...` against rpcBaseUrl (a query would be dropped): the key is in the path.
    const rpc = new URL('instances/', clientData.rpcBaseUrl as string);
    expect((await call('GET', rpc.pathname)).status).toBe(200);
    expect((await call('GET', '/durabletask/not-the-key/instances/')).status).toBe(401);
  });

  it('writes the keys file readable by the user only, and keeps the keys across restarts', () => {
    expect(statSync(keysPath).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKeys(keysPath)).toEqual(keys);
  });
});

describe('only local callers', () => {
  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (a web page) with 403', async () => {
    const key = withKey(keys.functionKeys.default, json);
    expect(
      (await call('POST', '/api/builds', { headers: { ...key, host: 'evil.example:80' }, body: '{}' }))
        .status,
    ).toBe(403);
    const page = await call('POST', '/api/builds', {
      headers: { ...key, origin: 'https://evil.example' },
      body: '{}',
    });
    expect(page.status).toBe(403);
    expect(page.text).toMatch(/Cross-origin/);
    const self = await call('POST', '/api/builds', {
      headers: { ...key, origin: `http://127.0.0.1:${port}` },
      body: '{}',
    });
    expect(self.status).toBe(200);
  });
});

describe('sizes', () => {
  it('caps the Event Grid webhook at 1 MB (413 naming the limit), before the function runs', async () => {
    const before = received.length;
    const big = JSON.stringify([{ eventType: 'x', data: { pad: 'x'.repeat(1024 * 1024) } }]);
    const answer = await call('POST', '/runtime/webhooks/eventgrid?functionName=galleryEvents', {
      headers: withKey(keys.systemKeys.eventgrid_extension, json),
      body: big,
    });
    expect(answer.status).toBe(413);
    expect(answer.text).toMatch(/at most 1048576 bytes/);
    expect(received.length).toBe(before);
  });

  it('caps function routes at FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, also for chunked bodies without a length', async () => {
    process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT = '1000';
    try {
      const declared = await call('POST', '/api/builds', {
        headers: withKey(keys.functionKeys.default, json),
        body: `"${'x'.repeat(2000)}"`,
      });
      expect(declared.status).toBe(413);
      expect(declared.text).toMatch(/at most 1000 bytes/);
      const chunked = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/builds',
            headers: withKey(keys.functionKeys.default, json),
          },
          (res) => (res.resume(), resolve(res.statusCode!)),
        );
        req.on('error', reject);
        for (let i = 0; i < 10; i++) req.write('x'.repeat(500));
        req.end();
      });
      expect(chunked).toBe(413);
    } finally {
      delete process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT;
    }
  });
});

const grid = '/runtime/webhooks/eventgrid?functionName=galleryEvents';
const gridKey = () => withKey(keys.systemKeys.eventgrid_extension, json);

describe('caller errors are 4xx, never 500', () => {
  it.each([
    ['not JSON', 400, 'this is not json'],
    ['null', 400, 'null'],
    // As the extension: an empty batch is done (202), and the function judges an event's type.
    ['an empty array', 202, '[]'],
    ['an array of numbers', 400, '[1,2]'],
    ['events without a type', 202, '[{"data":{}}]'],
  ])('an Event Grid body that is %s → %d', async (_what, status, body) => {
    expect((await call('POST', grid, { headers: gridKey(), body })).status).toBe(status);
  });

  it('an Event Grid body that is not JSON by media type → 415', async () => {
    const answer = await call('POST', grid, {
      headers: withKey(keys.systemKeys.eventgrid_extension, { 'content-type': 'text/plain' }),
      body: '[{"eventType":"x"}]',
    });
    expect(answer.status).toBe(415);
  });

  it('malformed percent-encoding in a route → 400', async () => {
    const answer = await call('GET', '/api/builds/%E0%A4%A', { headers: withKey(keys.functionKeys.default) });
    expect(answer.status).toBe(400);
    const durable = await call('GET', '/runtime/webhooks/durabletask/instances/%E0%A4%A', {
      headers: withKey(keys.systemKeys.durabletask_extension),
    });
    expect(durable.status).toBe(400);
  });

  it('malformed Durable API bodies and flags → 400', async () => {
    const key = keys.systemKeys.durabletask_extension;
    const start = await call('POST', '/runtime/webhooks/durabletask/orchestrators/waiter/bad-body', {
      headers: withKey(key, json),
      body: '{"not": json',
    });
    expect(start.status).toBe(400);
    expect(
      (
        await call('GET', '/runtime/webhooks/durabletask/instances?runtimeStatus=Sleeping', {
          headers: withKey(key),
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('GET', '/runtime/webhooks/durabletask/instances/x?showHistory=maybe', {
          headers: withKey(key),
        })
      ).status,
    ).toBe(400);
    const form = await call('POST', '/runtime/webhooks/durabletask/orchestrators/waiter/form', {
      headers: withKey(key, { 'content-type': 'application/x-www-form-urlencoded' }),
      body: 'a=1',
    });
    expect(form.status).toBe(415);
  });
});

describe('caller errors are 4xx, never 500', () => {
  it('a wrong method → 405 with Allow', async () => {
    const answer = await call('GET', '/api/builds', { headers: withKey(keys.functionKeys.default) });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    const put = await call('PUT', '/runtime/webhooks/durabletask/instances/x', {
      headers: withKey(keys.systemKeys.durabletask_extension),
    });
    expect(put.status).toBe(405);
    expect((await call('GET', grid, { headers: withKey(keys.systemKeys.eventgrid_extension) })).status).toBe(
      405,
    );
  });

  it('routes match case-insensitively, as the Functions host does', async () => {
    expect(
      (await call('POST', '/API/Builds', { headers: withKey(keys.functionKeys.default, json), body: '{}' }))
        .status,
    ).toBe(200);
    // The path is matched case-insensitively; the function name is not (the extension's Dictionary).
    const upper = await call('POST', '/Runtime/Webhooks/EventGrid?functionName=galleryEvents', {
      headers: gridKey(),
      body: '[{"eventType":"x","data":{}}]',
    });
    expect(upper.status).toBe(202);
    expect(
      (
        await call('GET', '/RUNTIME/webhooks/DurableTask/Instances', {
          headers: withKey(keys.systemKeys.durabletask_extension),
        })
      ).status,
    ).toBe(200);
  });
});

describe('the Durable API', () => {
  const key = () => withKey(keys.systemKeys.durabletask_extension, json);
  const secretInput = {
    request: {
      pools: [
        {
          startTask: { commandLine: 'x', environmentSettings: [{ name: 'TOKEN', value: 'hunter2-secret' }] },
        },
      ],
    },
    storageSasToken: 'sv=2024&sig=abc',
  };

  it('never returns start-task environment values or secret-named fields from status or list', async () => {
    const started = await call('POST', '/runtime/webhooks/durabletask/orchestrators/waiter/secret-1', {
      headers: key(),
      body: JSON.stringify(secretInput),
    });
    expect(started.status).toBe(202);
    const status = await call('GET', '/runtime/webhooks/durabletask/instances/secret-1?showHistory=true', {
      headers: key(),
    });
    const list = await call('GET', '/runtime/webhooks/durabletask/instances', { headers: key() });
    for (const answer of [status, list]) {
      expect(answer.text).not.toContain('hunter2-secret');
      expect(answer.text).not.toContain('sig=abc');
      expect(answer.text).toContain(REDACTED);
    }
    expect(JSON.parse(status.text).input.request.pools[0].startTask.environmentSettings[0].name).toBe(
      'TOKEN',
    );
    // The engine keeps the real input: replays need it.
    expect(JSON.stringify(engine.status('secret-1')?.input)).toContain('hunter2-secret');
  });

  it('never returns SSH private keys, user passwords or SAS signatures of a pool template (#12)', async () => {
    const template = {
      userAccounts: [
        {
          name: 'render',
          password: 'pw-hunter3',
          linuxUserConfiguration: { sshPrivateKey: '-----BEGIN OPENSSH PRIVATE KEY-----k3y' },
        },
      ],
      startTask: {
        commandLine: 'visible-command',
        resourceFiles: [
          { httpUrl: 'https://a.blob.core.windows.net/c/s.sh?sv=2024-08-04&sr=b&sig=SIGhttp%3D' },
          { storageContainerUrl: 'https://a.blob.core.windows.net/c?sig=SIGcontainer&sp=rl' },
        ],
      },
    };
    await call('POST', '/runtime/webhooks/durabletask/orchestrators/waiter/secret-2', {
      headers: key(),
      body: JSON.stringify({ request: { pools: [{ template }] } }),
    });
    const status = await call('GET', '/runtime/webhooks/durabletask/instances/secret-2?showHistory=true', {
      headers: key(),
    });
    const list = await call('GET', '/runtime/webhooks/durabletask/instances', { headers: key() });
    for (const answer of [status, list]) {
      expect(answer.text).not.toMatch(/pw-hunter3|OPENSSH|SIGhttp|SIGcontainer/);
      expect(answer.text).toContain('https://a.blob.core.windows.net/c/s.sh?[redacted]');
      expect(answer.text).toContain('visible-command');
    }
  });
});

describe('the Durable API', () => {
  const key = () => withKey(keys.systemKeys.durabletask_extension, json);

  it('refuses to purge a running instance (412), purges it once terminated', async () => {
    await call('POST', '/runtime/webhooks/durabletask/orchestrators/waiter/purge-1', {
      headers: key(),
      body: '{}',
    });
    await engine.waitFor('purge-1', ['Running']);
    const refused = await call('DELETE', '/runtime/webhooks/durabletask/instances/purge-1', {
      headers: key(),
    });
    expect(refused.status).toBe(412);
    expect(refused.text).toMatch(/Only orchestrations in a terminal state can be purged/);
    expect(engine.status('purge-1')?.runtimeStatus).toBe('Running');
    expect(
      (
        await call('POST', '/runtime/webhooks/durabletask/instances/purge-1/terminate?reason=t', {
          headers: key(),
        })
      ).status,
    ).toBe(202);
    const purged = await call('DELETE', '/runtime/webhooks/durabletask/instances/purge-1', {
      headers: key(),
    });
    expect(purged.status).toBe(200);
    expect(JSON.parse(purged.text)).toEqual({ instancesDeleted: 1 });
    expect(
      (await call('DELETE', '/runtime/webhooks/durabletask/instances/purge-1', { headers: key() })).status,
    ).toBe(404);
  });
});
