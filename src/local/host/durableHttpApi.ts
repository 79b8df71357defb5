import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DurableEngine, InstanceStatus } from './durable/engine';
import { InstanceExistsError } from './durable/engine';

export const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask';

/** The Durable Functions HTTP management API and the client's RPC calls: one set of routes, Azure's JSON. */
export function durableClientData(origin: string, taskHub: string): Record<string, unknown> {
  const base = `${origin}${WEBHOOK_PREFIX}`;
  const query = `taskHub=${taskHub}&connection=Storage&code=`;
  const instance = `${base}/instances/INSTANCEID`;
  return {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=`,
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
    requiredQueryStringParameters: '',
    rpcBaseUrl: `${base}/`,
    httpBaseUrl: base,
  };
}

function managementPayload(origin: string, taskHub: string, instanceId: string): Record<string, string> {
  const urls = durableClientData(origin, taskHub).managementUrls as Record<string, string>;
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

function statusCode(status: InstanceStatus): number {
  if (status.runtimeStatus === 'Pending' || status.runtimeStatus === 'Running') return 202;
  return status.runtimeStatus === 'Completed' ? 200 : 400;
}

export async function serveDurableApi(
  engine: DurableEngine,
  origin: string,
  taskHub: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', origin);
  if (!url.pathname.startsWith(WEBHOOK_PREFIX)) return false;
  const parts = url.pathname.slice(WEBHOOK_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(payload === undefined ? '' : JSON.stringify(payload));
  };
  const method = req.method ?? 'GET';

  // POST orchestrators/{name}[/{instanceId}]
  if (parts[0] === 'orchestrators' && parts[1] && method === 'POST') {
    const instanceId =
      parts[2] ?? `${parts[1]}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const input = body.trim() ? (JSON.parse(body) as unknown) : undefined;
    try {
      engine.startNew(parts[1], instanceId, input);
    } catch (error) {
      if (error instanceof InstanceExistsError) return (send(409, { message: error.message }), true);
      return (send(400, { message: (error as Error).message }), true);
    }
    const payload = managementPayload(origin, taskHub, instanceId);
    send(202, payload, { Location: payload.statusQueryGetUri });
    return true;
  }
  if (parts[0] !== 'instances') return (send(404, { message: `No route ${url.pathname}` }), true);
  const instanceId = parts[1];
  const showHistory = url.searchParams.get('showHistory') === 'true';
  const showInput = url.searchParams.get('showInput') !== 'false';

  if (!instanceId) {
    if (method === 'GET') {
      const statuses = url.searchParams.get('runtimeStatus')?.split(',').filter(Boolean);
      return (send(200, engine.list({ runtimeStatus: statuses })), true);
    }
    return (send(405, { message: 'Only GET lists instances.' }), true);
  }
  const action = parts[2];
  if (!action && method === 'GET') {
    const status = engine.status(instanceId, { showHistory, showInput });
    if (!status) return (send(404, { message: `No instance with ID '${instanceId}' found.` }), true);
    return (send(statusCode(status), status), true);
  }
  if (!action && method === 'DELETE') {
    return engine.purge(instanceId)
      ? (send(200, { instancesDeleted: 1 }), true)
      : (send(404, { instancesDeleted: 0 }), true);
  }
  if (action === 'raiseEvent' && parts[3] && method === 'POST') {
    if (!engine.status(instanceId))
      return (send(404, { message: `No instance with ID '${instanceId}' found.` }), true);
    const ok = engine.raiseEvent(instanceId, parts[3], body.trim() ? JSON.parse(body) : undefined);
    return (send(ok ? 202 : 410), true);
  }
  if (action === 'terminate' && method === 'POST') {
    const result = engine.terminate(instanceId, url.searchParams.get('reason') ?? 'terminated');
    return (send(result === 'terminated' ? 202 : result === 'missing' ? 404 : 410), true);
  }
  send(501, { message: `${method} ${url.pathname} is not supported by the embedded host.` });
  return true;
}
