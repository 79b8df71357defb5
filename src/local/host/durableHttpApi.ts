import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DurableEngine, InstanceStatus } from './durable/engine';
import { InstanceExistsError } from './durable/engine';
import { continuationHeader, pageOf, readListQuery, readRuntimeStatuses } from './durableListQuery';
import { isTerminal } from './durable/runtimeStatus';
import { HttpRefusal, decodeSegments, parseJson, requireJson, sendJson } from './httpGuards';
import { keyAllows, presentedKey, type HostKeys } from './keys';
import { redactSecrets } from './redact';
import { isAlive } from '../../domain/runtimeStatus';

const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask';
/**
 * The Durable client's RPC base. In Azure the extension serves it on a loopback-only listener
 * (LocalHttpListener, http://127.0.0.1:17071/durabletask/) the outside cannot reach. The embedded
 * host has one port, so the RPC path carries the durabletask_extension key as a segment: the library
 * resolves `instances/...` against rpcBaseUrl, which would drop a `?code=` query.
 */
const RPC_PREFIX = '/durabletask';

interface DurableApiContext {
  engine: DurableEngine;
  origin: string;
  taskHub: string;
  keys: HostKeys;
}

/** What a durableClient input binding receives: every URL carries the system key, as Azure's do. */
export function durableClientData(origin: string, taskHub: string, keys: HostKeys): Record<string, unknown> {
  const code = encodeURIComponent(keys.systemKeys.durabletask_extension);
  const base = `${origin}${WEBHOOK_PREFIX}`;
  const query = `taskHub=${taskHub}&connection=Storage&code=${code}`;
  const instance = `${base}/instances/INSTANCEID`;
  return {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=${code}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${code}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl: base,
    requiredQueryStringParameters: `code=${code}`,
    rpcBaseUrl: `${origin}${RPC_PREFIX}/${encodeURIComponent(keys.systemKeys.durabletask_extension)}/`,
    httpBaseUrl: base,
  };
}

function managementPayload(ctx: DurableApiContext, instanceId: string): Record<string, string> {
  const urls = durableClientData(ctx.origin, ctx.taskHub, ctx.keys).managementUrls as Record<string, string>;
  const fill = (url: string) => url.replace('INSTANCEID', encodeURIComponent(instanceId));
  return {
    id: instanceId,
    statusQueryGetUri: fill(urls.statusQueryGetUri!),
    sendEventPostUri: fill(urls.sendEventPostUri!),
    terminatePostUri: fill(urls.terminatePostUri!),
    purgeHistoryDeleteUri: fill(urls.purgeHistoryDeleteUri!),
    restartPostUri: fill(urls.restartPostUri!),
    suspendPostUri: fill(urls.suspendPostUri!),
    resumePostUri: fill(urls.resumePostUri!),
  };
}

/**
 * The extension's answer to a status GET (HttpApiHandler.HandleGetStatusRequestAsync): 202 with Location
 * and Retry-After: 5 while the instance is alive; 200 once it has ended, Failed included unless the
 * caller asks for 500 with returnInternalServerErrorOnFailure=true.
 */
function statusAnswer(
  status: InstanceStatus,
  url: URL,
  serverErrorOnFailure: boolean,
): { code: number; headers: Record<string, string> } {
  if (isAlive(status.runtimeStatus))
    return { code: 202, headers: { Location: url.href, 'Retry-After': '5' } };
  return { code: status.runtimeStatus === 'Failed' && serverErrorOnFailure ? 500 : 200, headers: {} };
}

function methodNotAllowed(method: string, path: string, allowed: string[]): HttpRefusal {
  return new HttpRefusal(405, `${method} ${path} is not allowed; use ${allowed.join(' or ')}.`, {
    Allow: allowed.join(', '),
  });
}

/**
 * Which of the Durable paths a request is on, and whether it carries the system key: the public
 * webhook wants `code`/`x-functions-key`; the RPC path has the key as its first segment.
 * Undefined when the path is neither.
 */
export function durableRoute(
  url: URL,
  headers: Record<string, string | string[] | undefined>,
  keys: HostKeys,
): { rest: string; authorized: boolean } | undefined {
  const path = url.pathname;
  const lower = path.toLowerCase();
  if (lower === WEBHOOK_PREFIX || lower.startsWith(`${WEBHOOK_PREFIX}/`))
    return {
      rest: path.slice(WEBHOOK_PREFIX.length),
      authorized: keyAllows(
        keys,
        { level: 'system', name: 'durabletask_extension' },
        presentedKey(url, headers),
      ),
    };
  if (lower.startsWith(`${RPC_PREFIX}/`)) {
    const [token = '', ...rest] = path.slice(RPC_PREFIX.length + 1).split('/');
    let decoded = '';
    try {
      decoded = decodeURIComponent(token);
    } catch {
      // a malformed token is simply not the key
    }
    return {
      rest: `/${rest.join('/')}`,
      authorized: keyAllows(keys, { level: 'system', name: 'durabletask_extension' }, decoded),
    };
  }
  return undefined;
}

/**
 * The Durable Functions HTTP management API and the client's RPC calls: one set of routes, Azure's
 * JSON and status codes. Inputs and outputs in answers are redacted; the caller has checked the key.
 */
export function serveDurableApi(
  ctx: DurableApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rest: string,
  body: Buffer,
): void {
  const { engine } = ctx;
  const parts = decodeSegments(rest);
  const method = req.method ?? 'GET';
  const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) =>
    sendJson(res, status, payload, headers);
  const controller = parts[0]?.toLowerCase();

  // POST orchestrators/{name}[/{instanceId}]
  if (controller === 'orchestrators' && parts[1])
    return startOrchestration(ctx, req, url, parts[1], parts[2], body, send);
  if (controller !== 'instances') return send(404, { message: `No Durable API route ${url.pathname}.` });
  const instanceId = parts[1];
  const flag = (name: string, fallback: boolean): boolean => {
    const value = url.searchParams.get(name);
    if (value === null) return fallback;
    if (!/^(true|false)$/i.test(value))
      throw new HttpRefusal(400, `Query parameter ${name} must be true or false, not "${value}".`);
    return value.toLowerCase() === 'true';
  };

  if (!instanceId) {
    if (method !== 'GET') throw methodNotAllowed(method, url.pathname, ['GET']);
    const asked = readRuntimeStatuses(url);
    const showInput = flag('showInput', true);
    const query = readListQuery(url, req);
    const { page, next } = pageOf(engine.list({ runtimeStatus: asked }), query);
    const list = page.map((s) => (showInput ? s : { ...s, input: null }));
    return send(200, redactSecrets(list), continuationHeader(next));
  }
  return serveInstance(ctx, { req, url, parts, body, send, flag }, instanceId);
}

type Send = (status: number, payload?: unknown, headers?: Record<string, string>) => void;

/** One request on the Durable API, as the route handlers below read it. */
interface DurableRequest {
  req: IncomingMessage;
  url: URL;
  parts: string[];
  body: Buffer;
  send: Send;
  /** A boolean query parameter; anything but true/false is refused. */
  flag: (name: string, fallback: boolean) => boolean;
}

/** POST orchestrators/{name}[/{instanceId}]: a new instance, answered with its management URLs. */
function startOrchestration(
  ctx: DurableApiContext,
  req: IncomingMessage,
  url: URL,
  name: string,
  givenId: string | undefined,
  body: Buffer,
  send: Send,
): void {
  const method = req.method ?? 'GET';
  if (method !== 'POST') throw methodNotAllowed(method, url.pathname, ['POST']);
  requireJson(req, body);
  const instanceId = givenId ?? `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const input = body.length ? parseJson(body, 'The orchestration input') : undefined;
  try {
    ctx.engine.startNew(name, instanceId, input);
  } catch (error) {
    if (error instanceof InstanceExistsError) return send(409, { message: error.message });
    return send(400, { message: (error as Error).message });
  }
  const payload = managementPayload(ctx, instanceId);
  return send(202, payload, { Location: payload.statusQueryGetUri });
}

/** instances/{id}[/{action}…]: status, purge, raise an event, terminate. */
function serveInstance(ctx: DurableApiContext, request: DurableRequest, instanceId: string): void {
  const { engine } = ctx;
  const { req, url, parts, body, send } = request;
  const method = req.method ?? 'GET';
  const action = parts[2]?.toLowerCase();
  if (!action) {
    if (method === 'GET') return sendStatus(ctx, request, instanceId);
    if (method === 'DELETE') return purgeInstance(ctx, send, instanceId);
    throw methodNotAllowed(method, url.pathname, ['GET', 'DELETE']);
  }
  if (action === 'raiseevent' && parts[3]) {
    if (method !== 'POST') throw methodNotAllowed(method, url.pathname, ['POST']);
    requireJson(req, body);
    const data = body.length ? parseJson(body, 'The event data') : undefined;
    if (!engine.status(instanceId))
      return send(404, { message: `No instance with ID '${instanceId}' found.` });
    return send(engine.raiseEvent(instanceId, parts[3], data) ? 202 : 410);
  }
  if (action === 'terminate') {
    if (method !== 'POST') throw methodNotAllowed(method, url.pathname, ['POST']);
    const result = engine.terminate(instanceId, url.searchParams.get('reason') ?? 'terminated');
    return send(result === 'terminated' ? 202 : result === 'missing' ? 404 : 410);
  }
  send(501, { message: `${method} ${url.pathname} is not supported by the embedded host.` });
}

function sendStatus(ctx: DurableApiContext, { send, flag, url }: DurableRequest, instanceId: string): void {
  const status = ctx.engine.status(instanceId, {
    showHistory: flag('showHistory', false),
    showInput: flag('showInput', true),
  });
  if (!status) return send(404, { message: `No instance with ID '${instanceId}' found.` });
  const answer = statusAnswer(status, url, flag('returnInternalServerErrorOnFailure', false));
  return send(answer.code, redactSecrets(status), answer.headers);
}

function purgeInstance(ctx: DurableApiContext, send: Send, instanceId: string): void {
  const status = ctx.engine.status(instanceId);
  if (!status) return send(404, { instancesDeleted: 0 });
  // Azure's extension refuses to purge an instance that is not finished (HttpApiHandler,
  // HandleDeleteHistoryByIdRequestAsync): a purged running instance would be replaced by a new
  // one that receives the old one's task results.
  if (!isTerminal(status.runtimeStatus))
    return send(412, {
      message: `Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${instanceId} has status ${status.runtimeStatus}. Terminate it first.`,
    });
  ctx.engine.purge(instanceId);
  return send(200, { instancesDeleted: 1 });
}
