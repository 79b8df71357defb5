import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { checkBuildRequestText } from '../domain/planRequest';
import { MAX_REQUEST_BYTES } from '../triggers/intake';
import { readJsonText } from './jsonBody';

/** POST /api/plan: the dry run over HTTP. 200 with the plan when valid, 422 with the findings when not. */
export async function planHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const body = await readJsonText(request, MAX_REQUEST_BYTES);
  if ('refusal' in body) return body.refusal;
  const { summary } = checkBuildRequestText(body.text, { now: new Date() });
  return { status: summary.valid ? 200 : 422, jsonBody: summary };
}

app.http('plan', { route: 'plan', methods: ['POST'], authLevel: 'function', handler: planHandler });
