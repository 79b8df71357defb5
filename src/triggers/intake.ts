import { createHash } from 'node:crypto';
import type { BuildRequest } from '../domain/buildRequest';
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
  | { outcome: 'duplicate'; instanceId: string; runtimeStatus: string }
  | { outcome: 'invalid'; findings: Finding[]; requestId: string };

/** Storage queue messages can be at most 64 KiB; a larger body cannot have come through a queue. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * A build request arriving by queue or HTTP. Invalid → a Pipeline.Failed event with every finding (the
 * caller keeps the message: poison queue or 422). Valid → imagePipeline with an id derived from
 * requestId; a request whose instance already exists starts nothing.
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
        `The request is ${Buffer.byteLength(text, 'utf8')} bytes; at most ${MAX_REQUEST_BYTES} fit in a queue message. Trim startTask or split the pools into several requests.`,
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
    // The rejection is about this message, not about any build: its event is the intake's own, with an
    // id from the message, so it can never stand for (or be deduplicated against) a pipeline's events.
    const messageHash = createHash('sha256')
      .update(text ?? '')
      .digest('hex')
      .slice(0, 16);
    const namedId = requestIdOf(body);
    const requestId = namedId ?? `invalid-${messageHash.slice(0, 12)}`;
    deps.log.warn(
      `Build request ${requestId} is not valid: ${findings.map((f) => `${f.code} at ${f.path || '(request)'}`).join(', ')}`,
    );
    const owner = namedId ? await deps.starter.runtimeStatus(pipelineInstanceId(namedId)) : undefined;
    if (owner) {
      // A build with this requestId exists: a Pipeline.Failed would read as that build failing.
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

  const instanceId = pipelineInstanceId(request.requestId);
  const existing = await deps.starter.runtimeStatus(instanceId);
  if (existing) {
    deps.log.info(
      `Request ${request.requestId} is already owned by instance ${instanceId} (${existing}); nothing started.`,
    );
    return { outcome: 'duplicate', instanceId, runtimeStatus: existing };
  }
  const input: PipelineInput = { request, settings: deps.settings };
  const started = await deps.starter.start(ORCHESTRATORS.imagePipeline, instanceId, input);
  if (started === 'exists') {
    deps.log.info(
      `Request ${request.requestId} was started concurrently by another delivery; instance ${instanceId} owns it.`,
    );
    return { outcome: 'duplicate', instanceId, runtimeStatus: 'Running' };
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
