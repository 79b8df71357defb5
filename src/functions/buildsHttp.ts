import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { MAX_REQUEST_BYTES, submitBuild } from '../triggers/intake';
import { pipelineInstanceId } from '../domain/pipeline';
import { appServices, orchestrationSettings } from '../compositionRoot';
import { durableStarter, triggerLog } from './durableStarter';
import { readJsonText } from './jsonBody';

/**
 * POST /api/builds: the queue's intake over HTTP; 202 with the Durable status URLs when it starts
 * (or restarts a failed run), 409 when the request's build already exists and may not restart.
 */
export async function submitBuildHandler(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const body = await readJsonText(request, MAX_REQUEST_BYTES);
  if ('refusal' in body) return body.refusal;
  const client = df.getClient(context);
  const services = appServices();
  const result = await submitBuild(body.text, {
    starter: durableStarter(client),
    events: services.events,
    clock: services.clock,
    log: triggerLog(context),
    settings: orchestrationSettings(),
  });
  if (result.outcome === 'invalid')
    return {
      status: 422,
      jsonBody: { valid: false, requestId: result.requestId, findings: result.findings },
    };
  const links = client.createHttpManagementPayload(result.instanceId);
  return {
    status: result.outcome === 'duplicate' ? 409 : 202,
    headers: { Location: links.statusQueryGetUri },
    jsonBody: {
      outcome: result.outcome,
      instanceId: result.instanceId,
      ...(result.outcome === 'duplicate' ? { runtimeStatus: result.runtimeStatus } : {}),
      ...(result.outcome === 'restarted' ? { previousStatus: result.previousStatus } : {}),
      ...links,
    },
  };
}

/** GET /api/builds/{id}: runtime status plus the pipeline's and each region's progress. */
export async function buildStatusHandler(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const client = df.getClient(context);
  const raw = request.params.id ?? '';
  const instanceId = raw.startsWith('bif-') ? raw : pipelineInstanceId(raw);
  let status;
  try {
    status = await client.getStatus(instanceId);
  } catch (error) {
    if (/404/.test((error as Error).message))
      return { status: 404, jsonBody: { error: `No build ${raw} (instance ${instanceId}).` } };
    throw error;
  }
  const custom = (status.customStatus ?? {}) as { regionInstances?: string[] };
  const regions = [];
  for (const child of custom.regionInstances ?? []) {
    try {
      regions.push((await client.getStatus(child)).customStatus);
    } catch {
      regions.push(null); // not started yet
    }
  }
  return {
    status: 200,
    jsonBody: {
      instanceId,
      runtimeStatus: status.runtimeStatus,
      createdTime: status.createdTime,
      lastUpdatedTime: status.lastUpdatedTime,
      output: status.output,
      pipeline: status.customStatus,
      regions: regions.filter(Boolean),
    },
  };
}

app.http('submitBuild', {
  route: 'builds',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: submitBuildHandler,
});
app.http('buildStatus', {
  route: 'builds/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: buildStatusHandler,
});
