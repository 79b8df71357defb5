import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { checkBuildRequestText } from '../domain/planRequest';
import { appServices } from '../compositionRoot';
import type { Clock } from '../ports/clock';
import { MAX_REQUEST_BYTES } from '../triggers/intake';
import { readJsonText } from './jsonBody';

/**
 * POST /api/plan: the dry run over HTTP. 200 with the plan when valid, 422 with the findings when not.
 * Time comes from the clock port, as for every other rule: locally that is the simulator's clock.
 */
export async function planHandler(
  request: HttpRequest,
  _context?: InvocationContext,
  clock: Clock = appServices().clock,
): Promise<HttpResponseInit> {
  const body = await readJsonText(request, MAX_REQUEST_BYTES);
  if ('refusal' in body) return body.refusal;
  const { summary } = checkBuildRequestText(body.text, { now: clock.now() });
  return { status: summary.valid ? 200 : 422, jsonBody: summary };
}

app.http('plan', { route: 'plan', methods: ['POST'], authLevel: 'function', handler: planHandler });
