import { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appServices } from '../compositionRoot';
import type { Clock } from '../ports/clock';
import type { PipelineStatus } from '../domain/status';
import { pipelineInstanceId } from '../domain/pipeline';
import { REQUEST_ID_PATTERN } from '../domain/buildRequest';
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
 * polls the first page: it reads the last hour's instances, not the task hub's whole history. Nothing
 * reads further than the last lookback in one request: what is older comes with a continuation, so a
 * poll never scans the whole history (durable-functions 3.5 follows every continuation token of the
 * instance list, and the list carries each instance's input: its OrchestrationFilter has no showInput).
 */
const LOOKBACKS_MS = [HOUR_MS, 24 * HOUR_MS, 7 * 24 * HOUR_MS, 30 * 24 * HOUR_MS, 365 * 24 * HOUR_MS];
/** Instances one request may read before it stops and hands out a continuation. */
export const MAX_SCANNED = 2_000;
const FAILURE_TEXT_LIMIT = 500;
/** A pipeline's instance id is this prefix and its request id (pipelineInstanceId). */
const PIPELINE_ID_PREFIX = 'bif-';

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
  const { found, resumeBelowMs } = await readNewest(client, cursor, top, clock.now().getTime());
  const page = found.slice(0, top);
  const last = page.at(-1);
  // A full page continues after its last line; a page cut short by the scan bound continues below the
  // window it stopped at (the empty id sorts before any, so the cursor takes every instance older than it).
  const resume =
    found.length > top && last
      ? { createdMs: createdMs(last), instanceId: last.instanceId }
      : resumeBelowMs !== undefined
        ? { createdMs: resumeBelowMs - 1, instanceId: '' }
        : undefined;
  const next = resume ? encodeCursor(resume) : undefined;
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
 * more than `top` are found (every later window holds only older instances), the lookbacks are spent
 * or MAX_SCANNED instances were read. Only after a year with no instance at all is the rest read
 * unbounded (an empty or long-idle task hub). `resumeBelowMs`: the lower bound of the last window read, when
 * older instances may exist that were not read.
 */
async function readNewest(
  client: ListClient,
  cursor: ListCursor | undefined,
  top: number,
  nowMs: number,
): Promise<{ found: ListedInstance[]; resumeBelowMs?: number }> {
  const anchor = cursor?.createdMs ?? nowMs;
  const seen = new Map<string, ListedInstance>();
  let newer: number | undefined = cursor?.createdMs;
  let scanned = 0;
  for (const lookback of LOOKBACKS_MS) {
    const from = Math.max(0, anchor - lookback);
    const statuses = (await client.getStatusBy({
      createdTimeFrom: new Date(from),
      ...(newer !== undefined ? { createdTimeTo: new Date(newer) } : {}),
    })) as unknown as ListedInstance[];
    scanned += statuses.length;
    for (const s of statuses) if (isPipeline(s) && isAfter(cursor, s)) seen.set(s.instanceId, s);
    const found = () => [...seen.values()].sort(newestFirst);
    if (seen.size > top || from === 0) return { found: found() };
    if (scanned >= MAX_SCANNED || (lookback === LOOKBACKS_MS.at(-1) && scanned > 0))
      return { found: found(), resumeBelowMs: from };
    newer = from;
  }
  // A whole year read nothing at all: whatever is older is read at once, so the list ends rather than
  // hand out a continuation for every empty year back to 1970.
  const older = (await client.getStatusBy({
    createdTimeTo: new Date(newer!),
  })) as unknown as ListedInstance[];
  for (const s of older) if (isPipeline(s) && isAfter(cursor, s)) seen.set(s.instanceId, s);
  return { found: [...seen.values()].sort(newestFirst) };
}

/** One pipeline as the list shows it: enough for a row, the rest is one status call away. */
function listLine(s: ListedInstance) {
  const custom = (s.customStatus ?? undefined) as Partial<PipelineStatus> | undefined;
  const ended = s.runtimeStatus === 'Failed' || s.runtimeStatus === 'Terminated';
  const failure = ended && typeof s.output === 'string' ? s.output : custom?.error;
  return {
    instanceId: s.instanceId,
    // From the instance id (bif-<requestId>), not the custom status: a terminated instance's custom
    // status reads null in Azure Storage, and the list must show it the same there as locally.
    requestId: requestIdOf(s.instanceId) ?? custom?.requestId,
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

/** The request id an instance id carries; undefined for a long one, which ends in a hash instead. */
function requestIdOf(instanceId: string): string | undefined {
  const requestId = instanceId.slice(PIPELINE_ID_PREFIX.length);
  return REQUEST_ID_PATTERN.test(requestId) && pipelineInstanceId(requestId) === instanceId
    ? requestId
    : undefined;
}

function cut(text: string): string {
  return text.length <= FAILURE_TEXT_LIMIT ? text : `${text.slice(0, FAILURE_TEXT_LIMIT)}…`;
}
