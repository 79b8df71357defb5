import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registration } from './functionsCore';
import { HttpRefusal, parseJson, requireJson, sendJson } from './httpGuards';
import { invokeFunction, type InvokeEnvironment } from './invoke';

export const EVENT_GRID_PATH = '/runtime/webhooks/eventgrid';

/** Event Grid delivers at most 1 MB per request (one event, or a batch), so a larger body is not Event Grid. */
export const EVENT_GRID_MAX_BYTES = 1024 * 1024;

/**
 * The Event Grid webhook: the subscription validation handshake (both schemas), then one invocation
 * per event. A body that is not events is the sender's error (400): Event Grid retries 5xx, so a
 * 500 for a malformed body would only bring it back.
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
  const parsed = parseJson(body, 'The Event Grid delivery');
  const events = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (events.length === 0 || events.some((e) => !e || typeof e !== 'object' || Array.isArray(e)))
    throw new HttpRefusal(
      400,
      'The Event Grid delivery must be an event object or a non-empty array of event objects.',
    );
  const typed = events as { eventType?: string; type?: string; data?: { validationCode?: string } }[];
  const validation = typed.find((e) => e.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent');
  if (req.headers['aeg-event-type'] === 'SubscriptionValidation' || validation)
    return sendJson(res, 200, { validationResponse: validation?.data?.validationCode });
  if (typed.some((e) => typeof e.eventType !== 'string' && typeof e.type !== 'string'))
    throw new HttpRefusal(
      400,
      'Every event needs eventType (Event Grid schema) or type (CloudEvents schema).',
    );
  for (const event of typed) await invokeFunction(f, event, env);
  res.writeHead(200);
  res.end();
}
