/**
 * The recent-pipelines list (`GET /api/builds`): which instances are pipelines, their order (newest
 * first) and the cursor a page hands to the next. The Durable instance list cannot do this itself: it
 * is ordered by instance id (the Azure Storage partition key), not by creation time, so the list reads
 * a creation-time window and orders it here.
 */
import { instanceIdProblem } from './instanceId';
import { ORCHESTRATORS } from './pipeline';

export const LIST_TOP_DEFAULT = 20;
export const LIST_TOP_MAX = 100;

/** Where the previous page ended: its last (oldest) pipeline. */
export interface ListCursor {
  createdMs: number;
  instanceId: string;
}

export interface ListParams {
  top: number;
  cursor?: ListCursor;
}

/** What the list needs of a Durable status (getStatusBy answers JSON: times may be strings). */
export interface ListedInstance {
  name?: string;
  instanceId: string;
  createdTime: Date | string;
  lastUpdatedTime?: Date | string;
  runtimeStatus?: string;
  customStatus?: unknown;
  output?: unknown;
}

export type ParamsResult = { ok: true; params: ListParams } | { ok: false; error: string };

/** `top` and `continuationToken`, each refused with its name and what to send instead. */
export function readListParams(query: { get(name: string): string | null }): ParamsResult {
  const topText = query.get('top');
  let top = LIST_TOP_DEFAULT;
  if (topText !== null && topText !== '') {
    top = /^\d+$/.test(topText) ? Number(topText) : NaN;
    if (!(top >= 1 && top <= LIST_TOP_MAX))
      return {
        ok: false,
        error: `Query parameter top must be a whole number from 1 to ${LIST_TOP_MAX}, not "${topText.slice(0, 40)}".`,
      };
  }
  const token = query.get('continuationToken');
  if (token === null || token === '') return { ok: true, params: { top } };
  const cursor = decodeCursor(token);
  if (!cursor)
    return {
      ok: false,
      error:
        'Query parameter continuationToken is not one this list handed out; send the continuationToken of the previous page, or none for the first page.',
    };
  return { ok: true, params: { top, cursor } };
}

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdMs, id: cursor.instanceId })).toString('base64url');
}

export function decodeCursor(token: string): ListCursor | undefined {
  if (token.length > 1_000 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const { t, id } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      t?: unknown;
      id?: unknown;
    };
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return undefined;
    // The empty id: a page cut short by the list's scan bound resumes below a time, not after an instance.
    if (typeof id !== 'string' || (id !== '' && instanceIdProblem(id))) return undefined;
    return { createdMs: t, instanceId: id };
  } catch {
    return undefined;
  }
}

/**
 * A pipeline: an imagePipeline instance under its own id ("bif-" and the request id, which holds no
 * ":"). The ledgers, Event Grid rollouts and the intake ("bif:…") and region children ("…:region:…")
 * are the pipeline's machinery, not pipelines.
 */
export function isPipeline(status: ListedInstance): boolean {
  return (
    status.name === ORCHESTRATORS.imagePipeline &&
    status.instanceId.startsWith('bif-') &&
    !status.instanceId.includes(':')
  );
}

export const createdMs = (status: ListedInstance): number => new Date(status.createdTime).getTime();

/** Newest first; instances created in the same millisecond by instance id, so every page is stable. */
export function newestFirst(a: ListedInstance, b: ListedInstance): number {
  return (
    createdMs(b) - createdMs(a) || (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0)
  );
}

/** Whether an instance comes after the cursor in newest-first order (on a later page). */
export function isAfter(cursor: ListCursor | undefined, status: ListedInstance): boolean {
  if (!cursor) return true;
  const created = createdMs(status);
  return (
    created < cursor.createdMs || (created === cursor.createdMs && status.instanceId > cursor.instanceId)
  );
}
