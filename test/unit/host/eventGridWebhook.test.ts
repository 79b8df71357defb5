import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DurableEngine } from '../../../src/local/host/durable/engine';
import { VirtualClock } from '../../../src/local/clock';
import { createHttpHandler } from '../../../src/local/host/httpRoutes';
import { durableClientData } from '../../../src/local/host/durableHttpApi';
import { loadOrCreateKeys, type HostKeys } from '../../../src/local/host/keys';
import type { Registration } from '../../../src/local/host/functionsCore';

/**
 * The Event Grid webhook decides by the `aeg-event-type` header, as the Functions Event Grid extension
 * does (HttpRequestProcessor.ProcessAsync): SubscriptionValidation answers the body's validationCode,
 * Notification invokes the function once per event, Unsubscribe is 202, anything else 400.
 */
const invoked: unknown[] = [];
const galleryEvents: Registration = {
  name: 'galleryEvents',
  bindings: { trigger: { type: 'eventGridTrigger', direction: 'in' } as never },
  trigger: { type: 'eventGridTrigger', direction: 'in', name: 'trigger' },
  handler: async (event: unknown) => {
    invoked.push(event);
  },
};

let server: Server;
let port: number;
let keys: HostKeys;
let engine: DurableEngine;

beforeAll(async () => {
  keys = loadOrCreateKeys(join(mkdtempSync(join(tmpdir(), 'bif-eg-')), 'host-keys.json'));
  engine = new DurableEngine({ dbPath: ':memory:', clock: new VirtualClock({ speed: 1 }) });
  engine.start();
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const env = { durableClientData: durableClientData(origin, 'Hub', keys), log: () => undefined };
  server.on(
    'request',
    createHttpHandler({
      port,
      origin,
      taskHub: 'Hub',
      engine,
      keys,
      functions: [galleryEvents],
      env,
      log: () => undefined,
    }),
  );
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await engine.stop();
});

function deliver(kind: string | undefined, body: unknown): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-functions-key': keys.systemKeys.eventgrid_extension,
    ...(kind === undefined ? {} : { 'aeg-event-type': kind }),
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/runtime/webhooks/eventgrid?functionName=galleryEvents',
        headers,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const writeEvent = {
  id: 'e-1',
  eventType: 'Microsoft.Resources.ResourceWriteSuccess',
  subject:
    '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0',
  eventTime: '2026-11-29T00:00:00Z',
  dataVersion: '2',
  data: { operationName: 'Microsoft.Compute/galleries/images/versions/write' },
};
const validationEvent = {
  id: 'v-1',
  eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
  subject: '',
  eventTime: '2026-11-29T00:00:00Z',
  dataVersion: '2',
  data: { validationCode: 'code-123', validationUrl: 'https://example.invalid/validate' },
};

describe('the Event Grid webhook follows aeg-event-type', () => {
  beforeEach(() => (invoked.length = 0));

  it('SubscriptionValidation with a validation event → 200 with its validationCode (both schemas)', async () => {
    const grid = await deliver('SubscriptionValidation', [validationEvent]);
    expect(grid.status).toBe(200);
    expect(JSON.parse(grid.text)).toEqual({ validationResponse: 'code-123' });
    // CloudEvents: one object, its data JSON-encoded (the extension parses data's text).
    const cloud = await deliver('subscriptionvalidation', {
      specversion: '1.0',
      type: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      data: JSON.stringify({ validationCode: 'code-456' }),
    });
    expect(JSON.parse(cloud.text)).toEqual({ validationResponse: 'code-456' });
    expect(invoked).toEqual([]);
  });

  it('SubscriptionValidation carrying ordinary events (no validationCode) → 400 naming data.validationCode; nothing runs', async () => {
    const answer = await deliver('SubscriptionValidation', [writeEvent]);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/data\.validationCode/);
    expect(invoked).toEqual([]);
  });

  it('Notification → the function runs once per event, even for a validation-typed event', async () => {
    const answer = await deliver('Notification', [writeEvent, validationEvent]);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(invoked).toHaveLength(2);
  });

  it('Unsubscribe → 202; a missing or unknown aeg-event-type → 400 naming the header; nothing runs', async () => {
    expect((await deliver('Unsubscribe', [writeEvent])).status).toBe(202);
    for (const kind of [undefined, 'Bogus']) {
      const answer = await deliver(kind, [writeEvent]);
      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/aeg-event-type/);
    }
    expect(invoked).toEqual([]);
  });
});
