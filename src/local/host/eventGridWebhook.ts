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
 * body's validationCode), Notification (one invocation per event, whatever their types), Unsubscribe
 * (202); anything else is refused. A body that is not what its header says is the sender's error
 * (400): Event Grid retries 5xx, so a 500 would only bring it back.
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
  const f = functions.get(name.toLowerCase());
  if (!f) return sendJson(res, 404, { error: `No Event Grid function named "${name}".` });
  if (req.method === 'OPTIONS') {
    // CloudEvents webhook validation (abuse protection).
    res.writeHead(200, {
      'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin'] ?? '*'),
      'WebHook-Allowed-Rate': '*',
    });
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
  if (events.length === 0 || events.some((e) => !e || typeof e !== 'object' || Array.isArray(e)))
    throw new HttpRefusal(
      400,
      'The Event Grid delivery must be an event object or a non-empty array of event objects.',
    );
  const typed = events as { eventType?: string; type?: string }[];
  if (typed.some((e) => typeof e.eventType !== 'string' && typeof e.type !== 'string'))
    throw new HttpRefusal(
      400,
      'Every event needs eventType (Event Grid schema) or type (CloudEvents schema).',
    );
  for (const event of typed) await invokeFunction(f, event, env);
  res.writeHead(200);
  res.end();
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
