import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { checkBuildRequestText } from '../domain/planRequest';
import { appServices } from '../compositionRoot';
import type { Clock } from '../ports/clock';

/**
 * POST /api/plan: the dry run over HTTP. 200 with the plan when valid, 422 with the findings when not.
 * Time comes from the clock port, as for every other rule: locally that is the simulator's clock.
 */
export async function planHandler(
  request: HttpRequest,
  _context?: InvocationContext,
  clock: Clock = appServices().clock,
): Promise<HttpResponseInit> {
  const { summary } = checkBuildRequestText(await request.text(), { now: clock.now() });
  return { status: summary.valid ? 200 : 422, jsonBody: summary };
}

app.http('plan', { route: 'plan', methods: ['POST'], authLevel: 'function', handler: planHandler });
