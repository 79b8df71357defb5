import type { Registration } from '../../../src/local/host/functionsCore';
import { startDoorsHost, type DoorsHost } from '../../helpers/hostDoors';

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

let host: DoorsHost;
beforeAll(async () => (host = await startDoorsHost([galleryEvents])));
afterAll(() => host.stop());

async function deliver(kind: string | undefined, body: unknown): Promise<{ status: number; text: string }> {
  return host.call('POST', '/runtime/webhooks/eventgrid?functionName=galleryEvents', {
    headers: {
      'content-type': 'application/json',
      'x-functions-key': host.keys.systemKeys.eventgrid_extension,
      ...(kind === undefined ? {} : { 'aeg-event-type': kind }),
    },
    body: JSON.stringify(body),
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

  it('Notification → 202 and the function runs once per event, even for a validation-typed event', async () => {
    const answer = await deliver('Notification', [writeEvent, validationEvent]);
    expect(answer.status).toBe(202);
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

describe('as the extension answers', () => {
  beforeEach(() => (invoked.length = 0));

  it('an empty batch → 202; an event without eventType still reaches the function', async () => {
    expect((await deliver('Notification', [])).status).toBe(202);
    expect(invoked).toEqual([]);
    const untyped = { id: 'u-1', subject: '/x', data: {} };
    expect((await deliver('Notification', [untyped])).status).toBe(202);
    expect(invoked).toEqual([untyped]);
  });

  it('OPTIONS allows only an Event Grid cloud as the origin', async () => {
    const options = (origin?: string) =>
      host.call('OPTIONS', '/runtime/webhooks/eventgrid?functionName=galleryEvents', {
        headers: {
          'x-functions-key': host.keys.systemKeys.eventgrid_extension,
          ...(origin ? { 'webhook-request-origin': origin } : {}),
        },
      });
    for (const [origin, allowed] of [
      ['evil.example', 'eventgrid.azure.net'],
      [undefined, 'eventgrid.azure.net'],
      ['eventgrid.azure.us', 'eventgrid.azure.us'],
    ] as const) {
      const answer = await options(origin);
      expect(answer.status).toBe(200);
      expect(answer.headers['webhook-allowed-origin']).toBe(allowed);
    }
  });

  it('the function name is matched case-sensitively (404 otherwise)', async () => {
    const answer = await host.call('POST', '/runtime/webhooks/eventgrid?functionName=GalleryEvents', {
      headers: {
        'content-type': 'application/json',
        'x-functions-key': host.keys.systemKeys.eventgrid_extension,
        'aeg-event-type': 'Notification',
      },
      body: JSON.stringify([writeEvent]),
    });
    expect(answer.status).toBe(404);
    expect(invoked).toEqual([]);
  });
});
