import { createHash } from 'node:crypto';
import type { BuildRequest } from '../domain/buildRequest';
import { checkBuildRequest, checkBuildRequestText } from '../domain/planRequest';
import { finding, type Finding } from '../domain/findings';
import { EVENT_TYPES, makeEvent } from '../domain/events';
import {
  ORCHESTRATORS,
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
 * Whether a request may start again under an instance that already exists: only a run that ended
 * without success (Failed, Terminated, Canceled) is replaced by the corrected request; a pending,
 * running or completed build is left alone. Durable's startNew replaces a non-running instance
 * (overridableExistingInstanceStates), so the rule is ours to keep, at every door.
 */
export const RESTARTABLE_STATUSES = ['Failed', 'Terminated', 'Canceled'];

/**
 * A build request arriving by queue, HTTP or timer. Invalid → a Pipeline.Failed event with every
 * finding (the caller keeps the message: poison queue or 422). Valid → imagePipeline with an id
 * derived from requestId; if that instance exists, it is restarted only when RESTARTABLE_STATUSES
 * allows, else nothing starts.
 */
export async function submitBuild(
  body: unknown,
  deps: {
    starter: DurableStarter;
    events: EventPublisher;
    clock: Clock;
    log: TriggerLog;
    settings: OrchestrationSettings;
  },
): Promise<IntakeResult> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let findings: Finding[];
  let request: BuildRequest | undefined;
  if (Buffer.byteLength(text ?? '', 'utf8') > MAX_REQUEST_BYTES) {
    findings = [
      finding(
        'FIELD_INVALID',
        '',
        `The request is ${Buffer.byteLength(text, 'utf8')} bytes; at most ${MAX_REQUEST_BYTES} fit in a queue message (64 KiB as sent, base64-encoded). Trim startTask or split the pools into several requests.`,
      ),
    ];
  } else {
    // The rules that need no Azure facts run here, so a request that can never work is refused at the
    // door; preflight runs them again with the facts.
    const facts = { now: deps.clock.now() };
    const checked =
      typeof body === 'string' ? checkBuildRequestText(body, facts) : checkBuildRequest(body, facts);
    findings = checked.summary.findings;
    if (checked.ok && checked.summary.valid) request = checked.request;
  }
  if (!request) {
    const requestId =
      requestIdOf(body) ??
      `invalid-${createHash('sha256')
        .update(text ?? '')
        .digest('hex')
        .slice(0, 12)}`;
    const instanceId = pipelineInstanceId(requestId);
    deps.log.warn(
      `Build request ${requestId} is not valid: ${findings.map((f) => `${f.code} at ${f.path || '(request)'}`).join(', ')}`,
    );
    const event = makeEvent(EVENT_TYPES.pipelineFailed, {
      instanceId,
      subject: `pipelines/${instanceId}`,
      time: deps.clock.now().toISOString(),
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
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id) ? id : undefined;
}
