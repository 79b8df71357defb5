import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { pipelineInstanceId, type PipelineInput } from '../domain/pipeline';
import { isAlive } from '../domain/runtimeStatus';
import { APPROVAL_EVENT, approvalTarget, waveLines, type WaveLine } from '../domain/cutover/waves';
import { durableAnswer } from '../azure/durableAnswers';
import { readJsonText } from './jsonBody';
import { refuseBadRequestId } from './requestIdParam';

/** An approval is a few fields; anything bigger is not one. */
const MAX_APPROVAL_BYTES = 4 * 1024;

/** What the approve route needs of the Durable client (tests hand in a fake). */
export type ApprovalClient = Pick<df.DurableClient, 'getStatus' | 'raiseEvent'>;

interface ApprovalBody {
  wave?: number;
  approvedBy?: string;
  comment?: string;
}

/**
 * POST /api/builds/{requestId}/approve: approves a wave of the build (the next one that needs it, or
 * body.wave). 202 once the event is raised — Durable keeps an event the pipeline does not wait for yet,
 * so an early approval is not lost; 404 for an unknown build; 409 when no wave can take it (the answer
 * names the next wave and its state); 400 for a body that is not an approval.
 */
export async function approveBuildHandler(
  request: HttpRequest,
  context: InvocationContext,
  client: ApprovalClient = df.getClient(context),
): Promise<HttpResponseInit> {
  const requestId = request.params.requestId ?? '';
  const refused = refuseBadRequestId(requestId);
  if (refused) return refused;
  const instanceId = pipelineInstanceId(requestId);
  let status;
  try {
    status = await client.getStatus(instanceId, { showInput: true });
  } catch (error) {
    if (durableAnswer(error) === 'notFound')
      return { status: 404, jsonBody: { error: `No build ${requestId} (instance ${instanceId}).` } };
    throw new Error(`Reading the status of build ${requestId} failed: ${(error as Error).name}.`);
  }
  if (!status) return { status: 404, jsonBody: { error: `No build ${requestId} (instance ${instanceId}).` } };
  // The body is read after the build is found: an unknown build is 404 whatever was sent.
  const body = await readApproval(request);
  if ('refusal' in body) return body.refusal;
  const waves =
    (status.customStatus as { waves?: WaveLine[] } | undefined)?.waves ?? plannedLines(status.input);
  const conflict = (why: string): HttpResponseInit => ({
    status: 409,
    jsonBody: { error: `Nothing to approve in build ${requestId}: ${why}.`, waves: waves ?? [] },
  });
  if (!isAlive(status.runtimeStatus)) return conflict(`the build is ${status.runtimeStatus}`);
  if (!waves) return conflict('its request has no "waves"');
  const target = approvalTarget(waves, body.value.wave);
  if (!target.ok) return conflict(target.reason);
  const data = { ...body.value, wave: target.wave };
  await client.raiseEvent(instanceId, APPROVAL_EVENT, data);
  return { status: 202, jsonBody: { requestId, instanceId, approved: data } };
}

/**
 * Before its rollout starts (the image is still being built) the pipeline shows no waves: they are read
 * from its request, all pending, so an approval can be given that early too.
 */
function plannedLines(input: unknown): WaveLine[] | undefined {
  const waves = (input as Partial<PipelineInput> | undefined)?.request?.waves;
  return waves
    ? waveLines(
        waves,
        waves.map((w) => w.regions),
      )
    : undefined;
}

/** The body: empty, or `{wave?, approvedBy?, comment?}`; a wrong field is named. */
async function readApproval(
  request: HttpRequest,
): Promise<{ value: ApprovalBody } | { refusal: HttpResponseInit }> {
  const read = await readJsonText(request, MAX_APPROVAL_BYTES, {
    optional: true,
    tooLargeMessage: `The body is larger than ${MAX_APPROVAL_BYTES} bytes, the most an approval may be: send {"wave": 2, "approvedBy": "name", "comment": "why"} with a comment of at most 1000 characters, or no body.`,
  });
  if ('refusal' in read) return read;
  const bad = (error: string) => ({ refusal: { status: 400, jsonBody: { error } } });
  let value: unknown = {};
  try {
    if (read.text.trim()) value = JSON.parse(read.text);
  } catch {
    return bad('The body is not JSON; send {"wave": 2, "approvedBy": "name", "comment": "why"} or nothing.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return bad('The body must be a JSON object.');
  const { wave, approvedBy, comment, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length)
    return bad(`${unknown.join(', ')}: not a field of an approval (wave, approvedBy, comment); remove it.`);
  if (wave !== undefined && !(Number.isInteger(wave) && (wave as number) >= 1))
    return bad('wave must be a wave number, 1 or more (as `bif status` shows them).');
  if (approvedBy !== undefined && (typeof approvedBy !== 'string' || approvedBy.length > 200))
    return bad('approvedBy must be a name of at most 200 characters.');
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > 1000))
    return bad('comment must be a text of at most 1000 characters.');
  return { value: { wave, approvedBy, comment } as ApprovalBody };
}

app.http('approveBuild', {
  route: 'builds/{requestId}/approve',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: approveBuildHandler,
});
