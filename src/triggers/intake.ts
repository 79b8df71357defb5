import { createHash } from 'node:crypto';
import { REQUEST_ID_PATTERN, type BuildRequest } from '../domain/buildRequest';
import { checkBuildRequest, checkBuildRequestText } from '../domain/planRequest';
import { finding, type Finding } from '../domain/findings';
import { EVENT_TYPES, makeEvent } from '../domain/events';
import {
  ORCHESTRATORS,
  intakeInstanceId,
  pipelineInstanceId,
  type OrchestrationSettings,
  type PipelineInput,
} from '../domain/pipeline';
import type { EventPublisher, Clock } from '../ports';
import type { DurableStarter, TriggerLog } from './starter';

export type IntakeResult =
  | { outcome: 'started'; instanceId: string; request: BuildRequest }
  | { outcome: 'restarted'; instanceId: string; request: BuildRequest; previousStatus: string }
  | { outcome: 'duplicate'; instanceId: string; runtimeStatus: string }
  | { outcome: 'invalid'; findings: Finding[]; requestId: string };

/**
 * The largest request that fits in a storage queue message: Azure takes at most 64 KiB as sent, and
 * the trigger decodes base64 (host.json messageEncoding), so the function receives at most 48 KiB.
 * HTTP takes the same limit, so whatever one door accepts the other would too.
 */
export const MAX_REQUEST_BYTES = (64 * 1024 * 3) / 4;

/**
 * What the Service Bus and HTTP triggers put in place of bytes that are not UTF-8 (.NET's decoder
 * replaces them). A sender may also have written the character itself, so the finding says what was
 * seen and what most likely caused it, rather than claiming the bytes were not UTF-8: either way the
 * request would run with text nobody meant.
 */
const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * Whether a request may start again under an instance that already exists: only a run that ended
 * without success (Failed, Terminated, Canceled) is replaced by the corrected request; a pending,
 * running or completed build is left alone. Durable's startNew replaces a non-running instance
 * (overridableExistingInstanceStates), so the rule is ours to keep, at every door.
 */
const RESTARTABLE_STATUSES = ['Failed', 'Terminated', 'Canceled'];

/**
 * A build request arriving by queue, HTTP or timer. Invalid → a Pipeline.Failed event with every
 * finding (the caller keeps the message: poison queue or 422). Valid → imagePipeline with an id
 * derived from requestId; if that instance exists, it is restarted only when RESTARTABLE_STATUSES
 * allows, else nothing starts.
 */
export async function submitBuild(body: unknown, deps: IntakeDeps): Promise<IntakeResult> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const checked = checkSubmission(body, text ?? '', deps.clock.now());
  return checked.request
    ? startPipeline(checked.request, deps)
    : rejectMessage(body, text ?? '', checked.findings, deps);
}

export interface IntakeDeps {
  starter: DurableStarter;
  events: EventPublisher;
  clock: Clock;
  log: TriggerLog;
  settings: OrchestrationSettings;
}

function checkSubmission(
  body: unknown,
  text: string,
  now: Date,
): { request?: BuildRequest; findings: Finding[] } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_REQUEST_BYTES)
    return {
      findings: [
        finding(
          'FIELD_INVALID',
          '',
          `The request is ${bytes} bytes; at most ${MAX_REQUEST_BYTES} fit in a queue message (64 KiB as sent, base64-encoded). Trim startTask or split the pools into several requests.`,
        ),
      ],
    };
  const replaced = text.indexOf(REPLACEMENT_CHARACTER);
  if (replaced >= 0)
    return {
      findings: [
        finding(
          'FIELD_INVALID',
          '',
          `The request contains U+FFFD (the replacement character) at character ${replaced}: the request was most likely not sent as UTF-8. Encode the JSON as UTF-8 (e.g. Buffer.from(json, 'utf8') or Encoding.UTF8), or remove the character if it was meant.`,
        ),
      ],
    };
  // The rules that need no Azure facts run here, so a request that can never work is refused at the
  // door; preflight runs them again with the facts.
  const checked =
    typeof body === 'string' ? checkBuildRequestText(body, { now }) : checkBuildRequest(body, { now });
  const findings = checked.summary.findings;
  return checked.ok && checked.summary.valid ? { request: checked.request, findings } : { findings };
}

/**
 * The rejection is about this message, not about any build: its event is the intake's own, with an
 * id from the message, so it can never stand for (or be deduplicated against) a pipeline's events.
 */
async function rejectMessage(
  body: unknown,
  text: string,
  findings: Finding[],
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const messageHash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const namedId = requestIdOf(body);
  const requestId = namedId ?? `invalid-${messageHash.slice(0, 12)}`;
  deps.log.warn(
    `Build request ${requestId} is not valid: ${findings.map((f) => `${f.code} at ${f.path || '(request)'}`).join(', ')}`,
  );
  const owner = namedId ? await deps.starter.runtimeStatus(pipelineInstanceId(namedId)) : undefined;
  if (owner && !RESTARTABLE_STATUSES.includes(owner)) {
    // A build with this requestId runs or completed: a Pipeline.Failed would read as that build
    // failing. (After a failed or terminated run, the new message's rejection is that request's news.)
    deps.log.warn(
      `Request ${requestId} already belongs to instance ${pipelineInstanceId(requestId)} (${owner}); the invalid message publishes no event and is kept (poison queue / 422).`,
    );
    return { outcome: 'invalid', findings, requestId };
  }
  const instanceId = intakeInstanceId(messageHash);
  const event = makeEvent(EVENT_TYPES.pipelineFailed, {
    instanceId,
    subject: `requests/${requestId}/messages/${messageHash}`,
    time: deps.clock.now().toISOString(),
    occurrence: messageHash,
    data: {
      requestId,
      instanceId,
      stage: 'validation',
      reason: `the request is not valid (${findings.length} finding${findings.length === 1 ? '' : 's'})`,
      findings,
      succeeded: { regionsReplicated: [], poolsReady: [] },
    },
  });
  await deps.events.publish([event], { requestId });
  return { outcome: 'invalid', findings, requestId };
}

async function startPipeline(request: BuildRequest, deps: IntakeDeps): Promise<IntakeResult> {
  const instanceId = pipelineInstanceId(request.requestId);
  const existing = await deps.starter.runtimeStatus(instanceId);
  if (existing && !RESTARTABLE_STATUSES.includes(existing)) {
    deps.log.info(
      `Request ${request.requestId} is already owned by instance ${instanceId} (${existing}); nothing started.`,
    );
    return { outcome: 'duplicate', instanceId, runtimeStatus: existing };
  }
  if (existing) {
    const ended = await deps.starter.endEarlierChildren(instanceId);
    if (ended.length > 0)
      deps.log.info(`Terminated ${ended.join(', ')}, left running by the ${existing} run of ${instanceId}.`);
  }
  const input: PipelineInput = { request, settings: deps.settings };
  const started = await deps.starter.start(ORCHESTRATORS.imagePipeline, instanceId, input);
  if (started === 'exists') {
    deps.log.info(
      `Request ${request.requestId} was started concurrently by another delivery; instance ${instanceId} owns it.`,
    );
    return { outcome: 'duplicate', instanceId, runtimeStatus: 'Running' };
  }
  if (existing) {
    deps.log.info(
      `Restarted ${ORCHESTRATORS.imagePipeline} ${instanceId} for request ${request.requestId} (the previous run was ${existing}).`,
    );
    return { outcome: 'restarted', instanceId, request, previousStatus: existing };
  }
  deps.log.info(`Started ${ORCHESTRATORS.imagePipeline} ${instanceId} for request ${request.requestId}.`);
  return { outcome: 'started', instanceId, request };
}

function requestIdOf(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const id = (value as { requestId?: unknown } | null)?.requestId;
  return typeof id === 'string' && REQUEST_ID_PATTERN.test(id) ? id : undefined;
}
