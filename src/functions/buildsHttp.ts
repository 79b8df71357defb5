import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { MAX_REQUEST_BYTES, submitBuild } from '../triggers/intake';
import { pipelineInstanceId } from '../domain/pipeline';
import { refuseBadRequestId } from './requestIdParam';
import { instanceIdProblem } from '../domain/instanceId';
import { redactPoolSecrets } from '../domain/poolTemplate/effectivePool';
import { appServices, orchestrationSettings } from '../compositionRoot';
import { durableStarter, triggerLog } from './durableStarter';
import { readJsonText } from './jsonBody';
import { durableAnswer, durableUrlId, unlessMissing } from '../azure/durableAnswers';
import { listBuildsHandler } from './buildsList';

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

/** What the status routes need of the Durable client (tests hand in a fake). */
export type StatusClient = Pick<df.DurableClient, 'getStatus'>;

/**
 * GET /api/builds/{requestId}: the build of that request. The id is always a request id (a request id may
 * itself start with "bif-"); an instance id, such as an Event Grid rollout's, has its own route below.
 */
export async function buildStatusHandler(
  request: HttpRequest,
  context: InvocationContext,
  client: StatusClient = df.getClient(context),
): Promise<HttpResponseInit> {
  const requestId = request.params.requestId ?? '';
  const refused = refuseBadRequestId(requestId);
  if (refused) return refused;
  return describeInstance(client, pipelineInstanceId(requestId), `build ${requestId}`);
}

/** GET /api/builds/instances/{instanceId}: the same view for an orchestration instance id. */
export async function instanceStatusHandler(
  request: HttpRequest,
  context: InvocationContext,
  client: StatusClient = df.getClient(context),
): Promise<HttpResponseInit> {
  const instanceId = request.params.instanceId ?? '';
  const problem = instanceIdProblem(instanceId);
  if (problem) return { status: 400, jsonBody: { error: `Not an orchestration instance id: ${problem}` } };
  return describeInstance(client, instanceId, `instance ${instanceId}`);
}

/** Runtime status plus the pipeline's and each listed region's progress (statuses list the first few). */
async function describeInstance(
  client: StatusClient,
  instanceId: string,
  what: string,
): Promise<HttpResponseInit> {
  let status;
  try {
    status = await client.getStatus(durableUrlId(instanceId));
  } catch (error) {
    if (durableAnswer(error) === 'notFound')
      return { status: 404, jsonBody: { error: `No ${what} (instance ${instanceId}).` } };
    // The client's message carries the management URL, and with it the system key: never echo it.
    throw new Error(`Reading the status of ${what} failed: ${(error as Error).name}.`);
  }
  const custom = (status.customStatus ?? {}) as { regionInstances?: string[]; regionsTotal?: number };
  const regions = [];
  for (const child of custom.regionInstances ?? []) {
    // A child not started yet has no status.
    regions.push((await unlessMissing(client.getStatus(durableUrlId(child))))?.customStatus ?? null);
  }
  const listed = custom.regionInstances?.length ?? 0;
  return {
    status: 200,
    jsonBody: {
      instanceId,
      runtimeStatus: status.runtimeStatus,
      createdTime: status.createdTime,
      lastUpdatedTime: status.lastUpdatedTime,
      // Secrets a pool carries (SSH keys, passwords, SAS signatures) never leave in an answer.
      output: redactPoolSecrets(status.output),
      pipeline: redactPoolSecrets(status.customStatus),
      regions: redactPoolSecrets(regions.filter(Boolean)),
      /** Regions whose progress is not listed: the status names only the first few (16 KB limit). */
      regionsNotShown: Math.max(0, (custom.regionsTotal ?? listed) - listed),
    },
  };
}

// One function per route template (a second one on "builds" could be refused in Azure): POST submits,
// GET lists the recent builds (buildsList.ts).
app.http('builds', {
  route: 'builds',
  methods: ['GET', 'POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: (request, context) =>
    request.method === 'GET' ? listBuildsHandler(request, context) : submitBuildHandler(request, context),
});
app.http('buildStatus', {
  route: 'builds/{requestId}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: buildStatusHandler,
});
app.http('instanceStatus', {
  route: 'builds/instances/{instanceId}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: instanceStatusHandler,
});
