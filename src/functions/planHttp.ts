import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { checkBuildRequestText } from '../domain/planRequest';

/** POST /api/plan: the dry run over HTTP. 200 with the plan when valid, 422 with the findings when not. */
export async function planHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const { summary } = checkBuildRequestText(await request.text(), { now: new Date() });
  return { status: summary.valid ? 200 : 422, jsonBody: summary };
}

app.http('plan', { route: 'plan', methods: ['POST'], authLevel: 'function', handler: planHandler });
