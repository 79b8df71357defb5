import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registration } from './functionsCore';
import { HttpRefusal, parseJson, requireJson, sendJson } from './httpGuards';
import { invokeFunction, type InvokeEnvironment } from './invoke';

export const EVENT_GRID_PATH = '/runtime/webhooks/eventgrid';

/** Event Grid delivers at most 1 MB per request (one event, or a batch), so a larger body is not Event Grid. */
export const EVENT_GRID_MAX_BYTES = 1024 * 1024;

/**
 * The Event Grid webhook as the Functions Event Grid extension serves it (HttpRequestProcessor): the
 * `aeg-event-type` header, not the body, says what a POST is — SubscriptionValidation (answer the
 * body's validationCode), Notification (one invocation per event, whatever their types; 202), Unsubscribe
 * (202); anything else is refused. A body that is not what its header says is the sender's error: 400
 * here, where the extension fails with a 500 that Event Grid would only retry.
 */
export async function serveEventGrid(
  functions: Map<string, Registration>,
  env: InvokeEnvironment,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const name = url.searchParams.get('functionName') ?? '';
  // The extension keeps its listeners in a plain Dictionary: the name must match exactly.
  const f = functions.get(name.toLowerCase());
  if (!f || f.name !== name)
    return sendJson(res, 404, {
      error: `No Event Grid function named "${name}" (names are case-sensitive).`,
    });
  if (req.method === 'OPTIONS') {
    // CloudEvents webhook validation (abuse protection): only an Event Grid cloud is allowed.
    res.writeHead(200, { 'WebHook-Allowed-Origin': allowedOrigin(req.headers['webhook-request-origin']) });
    res.end();
    return;
  }
  if (req.method !== 'POST')
    throw new HttpRefusal(405, `${req.method} is not allowed on the Event Grid webhook; Event Grid POSTs.`, {
      Allow: 'POST, OPTIONS',
    });
  requireJson(req, body);
  const kind = deliveryKind(req.headers['aeg-event-type']);
  if (kind === 'unsubscribe') {
    res.writeHead(202);
    res.end();
    return;
  }
  const parsed = parseJson(body, 'The Event Grid delivery');
  if (kind === 'validation') return sendJson(res, 200, { validationResponse: validationCodeOf(parsed) });
  const events = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (events.some((e) => !e || typeof e !== 'object' || Array.isArray(e)))
    throw new HttpRefusal(
      400,
      'The Event Grid delivery must be an event object or an array of event objects.',
    );
  // As the extension: every event reaches the function whatever its type (the function decides), an
  // empty batch is simply done, and success is 202 (EventGridExtensionConfigProvider.ProcessEventsAsync).
  for (const event of events) await invokeFunction(f, event, env);
  res.writeHead(202);
  res.end();
}

/** Event Grid clouds the extension echoes back; any other origin gets the public cloud's. */
const EVENT_GRID_ORIGINS = [
  'eventgrid.azure.net',
  'eventgrid.azure.us',
  'eventgrid.azure.eaglex.ic.gov',
  'eventgrid.azure.microsoft.scloud',
  'eventgrid.azure.cn',
];

/** HttpRequestProcessor.GetAllowedOriginResponseHeader: never an arbitrary caller's origin. */
function allowedOrigin(header: string | string[] | undefined): string {
  const origin = Array.isArray(header) ? header[0] : header;
  return origin !== undefined && EVENT_GRID_ORIGINS.includes(origin) ? origin : EVENT_GRID_ORIGINS[0]!;
}

type DeliveryKind = 'validation' | 'notification' | 'unsubscribe';

/** The extension compares the header case-insensitively and answers 400 to any other value. */
function deliveryKind(header: string | string[] | undefined): DeliveryKind {
  const value = (Array.isArray(header) ? header[0] : header)?.toLowerCase();
  if (value === 'subscriptionvalidation') return 'validation';
  if (value === 'notification') return 'notification';
  if (value === 'unsubscribe') return 'unsubscribe';
  throw new HttpRefusal(
    400,
    `The aeg-event-type header is ${value === undefined ? 'missing' : `"${String(header)}"`}; Event Grid sends SubscriptionValidation, Notification or Unsubscribe.`,
  );
}

/**
 * The code a validation handshake echoes: data.validationCode of the first event (Event Grid schema,
 * an array) or of the event (CloudEvents schema, an object whose data may arrive JSON-encoded).
 */
function validationCodeOf(parsed: unknown): string {
  const event = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
  let data = (event as { data?: unknown } | null)?.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      data = undefined;
    }
  }
  const code = (data as { validationCode?: unknown } | null | undefined)?.validationCode;
  if (typeof code === 'string' && code) return code;
  throw new HttpRefusal(
    400,
    'A SubscriptionValidation delivery must carry data.validationCode (a Microsoft.EventGrid.SubscriptionValidationEvent); events go with aeg-event-type: Notification.',
  );
}
