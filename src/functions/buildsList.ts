import { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appServices } from '../compositionRoot';
import type { Clock } from '../ports/clock';
import type { PipelineStatus } from '../domain/status';
import {
  createdMs,
  encodeCursor,
  isAfter,
  isPipeline,
  newestFirst,
  readListParams,
  type ListCursor,
  type ListedInstance,
} from '../domain/pipelineList';

/** What the list needs of the Durable client (tests hand in a fake). */
export type ListClient = Pick<df.DurableClient, 'getStatusBy'>;

const HOUR_MS = 3_600_000;
/**
 * How far back each read of the instance list reaches, widening until a page is full. A dashboard
 * polls the first page: it reads the last hour's instances, not the task hub's whole history.
 */
const LOOKBACKS_MS = [HOUR_MS, 24 * HOUR_MS, 7 * 24 * HOUR_MS, 30 * 24 * HOUR_MS, 365 * 24 * HOUR_MS];
const FAILURE_TEXT_LIMIT = 500;

/**
 * GET /api/builds?top=&continuationToken=: the recent pipelines, newest first, a page at a time. Time
 * comes from the clock port (locally the simulator's clock, which stamps the instances). Registered
 * with POST /api/builds as one function (buildsHttp.ts): one function per route template.
 */
export async function listBuildsHandler(
  request: HttpRequest,
  context: InvocationContext,
  client: ListClient = df.getClient(context),
  clock: Clock = appServices().clock,
): Promise<HttpResponseInit> {
  const read = readListParams(request.query);
  if (!read.ok) return { status: 400, jsonBody: { error: read.error } };
  const { top, cursor } = read.params;
  const { found, more } = await readNewest(client, cursor, top, clock.now().getTime());
  const page = found.slice(0, top);
  const last = page.at(-1);
  const next =
    (more || found.length > top) && last
      ? encodeCursor({ createdMs: createdMs(last), instanceId: last.instanceId })
      : undefined;
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store' },
    jsonBody: {
      builds: page.map(listLine),
      ...(next
        ? { continuationToken: next, nextLink: `/api/builds?top=${top}&continuationToken=${next}` }
        : {}),
    },
  };
}

/**
 * The pipelines after `cursor`, newest first: whole creation-time windows, each further back, until
 * more than `top` are found (every later window holds only older instances) or none is left.
 */
async function readNewest(
  client: ListClient,
  cursor: ListCursor | undefined,
  top: number,
  nowMs: number,
): Promise<{ found: ListedInstance[]; more: boolean }> {
  const anchor = cursor?.createdMs ?? nowMs;
  const seen = new Map<string, ListedInstance>();
  let newer: number | undefined = cursor?.createdMs;
  for (const [i, lookback] of [...LOOKBACKS_MS, undefined].entries()) {
    const from = lookback === undefined ? undefined : anchor - lookback;
    const statuses = (await client.getStatusBy({
      ...(from !== undefined ? { createdTimeFrom: new Date(Math.max(0, from)) } : {}),
      ...(newer !== undefined ? { createdTimeTo: new Date(newer) } : {}),
    })) as unknown as ListedInstance[];
    for (const s of statuses) if (isPipeline(s) && isAfter(cursor, s)) seen.set(s.instanceId, s);
    const left = i < LOOKBACKS_MS.length && from !== undefined && from > 0;
    if (seen.size > top || !left) return { found: [...seen.values()].sort(newestFirst), more: left };
    newer = from;
  }
  return { found: [...seen.values()].sort(newestFirst), more: false };
}

/** One pipeline as the list shows it: enough for a row, the rest is one status call away. */
function listLine(s: ListedInstance) {
  const custom = (s.customStatus ?? undefined) as Partial<PipelineStatus> | undefined;
  const ended = s.runtimeStatus === 'Failed' || s.runtimeStatus === 'Terminated';
  const failure = ended && typeof s.output === 'string' ? s.output : custom?.error;
  return {
    instanceId: s.instanceId,
    requestId: custom?.requestId,
    runtimeStatus: s.runtimeStatus,
    createdTime: new Date(s.createdTime).toISOString(),
    lastUpdatedTime: s.lastUpdatedTime ? new Date(s.lastUpdatedTime).toISOString() : undefined,
    stage: custom?.stage,
    version: custom?.version,
    regionsTotal: custom?.regionsTotal,
    poolsTotal: custom?.poolsTotal,
    // A terminated instance's custom status reads null in Azure Storage: its output (the reason) is what is left.
    ...(failure ? { failure: cut(failure) } : {}),
    statusUri: `/api/builds/instances/${encodeURIComponent(s.instanceId)}`,
  };
}

function cut(text: string): string {
  return text.length <= FAILURE_TEXT_LIMIT ? text : `${text.slice(0, FAILURE_TEXT_LIMIT)}…`;
}
