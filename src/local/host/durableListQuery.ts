import type { IncomingMessage } from 'node:http';
import { HttpRefusal } from './httpGuards';

/**
 * The instance list's query, as the Durable extension reads it (HttpApiHandler
 * HandleGetStatusRequestAsync): instanceIdPrefix, createdTimeFrom, createdTimeTo, top (the page size)
 * and the x-ms-continuation-token request header. The extension skips a value it cannot parse
 * (TryGet…QueryParameterValue) and lists everything; here it is refused with the parameter's name, so
 * a caller's typo shows up locally instead of as a silently unfiltered list in Azure.
 */
export interface ListQuery {
  instanceIdPrefix?: string;
  createdFromMs?: number;
  createdToMs?: number;
  top?: number;
  /** Where this page starts in the list (ordered by instance id). */
  offset: number;
}

/** OrchestrationStatusQueryCondition.PageSize when the caller names no `top`. */
export const DEFAULT_PAGE_SIZE = 100;
/** int.TryParse's range: the page size is an Int32. */
const INT32_MAX = 2 ** 31 - 1;
const CONTINUATION_HEADER = 'x-ms-continuation-token';

/**
 * URLSearchParams keeps a malformed escape (`%E0%A4%A`, `%ZZ`) as its raw text, which would filter the
 * list by it; every other door answers 400 for malformed percent-encoding, and so does this one.
 */
function checkPercentEncoding(url: URL): void {
  for (const pair of url.search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const [name = '', value = ''] = pair.split('=', 2);
    for (const part of [name, value]) {
      try {
        decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        const shown = (() => {
          try {
            return decodeURIComponent(name);
          } catch {
            return name;
          }
        })();
        throw new HttpRefusal(400, `Query parameter ${shown} has malformed percent-encoding: "${pair}".`);
      }
    }
  }
}

export function readListQuery(url: URL, req: IncomingMessage): ListQuery {
  checkPercentEncoding(url);
  const time = (name: string): number | undefined => {
    const value = url.searchParams.get(name);
    if (value === null || value === '') return undefined;
    const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(ms))
      throw new HttpRefusal(
        400,
        `Query parameter ${name} must be a date and time such as 2026-11-29T08:00:00Z, not "${value}".`,
      );
    return ms;
  };
  const topText = url.searchParams.get('top');
  let top: number | undefined;
  if (topText !== null && topText !== '') {
    top = /^\d+$/.test(topText) ? Number(topText) : NaN;
    if (!(top >= 1 && top <= INT32_MAX))
      throw new HttpRefusal(400, `Query parameter top must be a whole number from 1, not "${topText}".`);
  }
  const token = req.headers[CONTINUATION_HEADER];
  const tokenText = Array.isArray(token) ? token[0] : token;
  const offset = tokenText ? decodeToken(tokenText) : 0;
  return {
    instanceIdPrefix: url.searchParams.get('instanceIdPrefix') ?? undefined,
    createdFromMs: time('createdTimeFrom'),
    createdToMs: time('createdTimeTo'),
    top,
    offset,
  };
}

/**
 * One page of `all` and the token of the next (undefined on the last page). Ordered by instance id, as
 * Azure Storage returns the Instances table (the id is its partition key); pages of DEFAULT_PAGE_SIZE
 * unless `top` says otherwise.
 */
export function pageOf<T extends { instanceId: string; createdTime: string }>(
  all: T[],
  query: ListQuery,
): { page: T[]; next?: string } {
  const matching = all
    .filter((s) => !query.instanceIdPrefix || s.instanceId.startsWith(query.instanceIdPrefix))
    .filter((s) => query.createdFromMs === undefined || Date.parse(s.createdTime) >= query.createdFromMs)
    .filter((s) => query.createdToMs === undefined || Date.parse(s.createdTime) <= query.createdToMs)
    .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  const end = query.offset + (query.top ?? DEFAULT_PAGE_SIZE);
  const page = matching.slice(query.offset, end);
  return end < matching.length ? { page, next: encodeToken(end) } : { page };
}

/**
 * HttpApiHandler adds the header whatever the next token is (HandleGetStatusRequestAsync); with no next
 * page it is empty, which is what ends the durable-functions client's paging loop.
 */
export function continuationHeader(next: string | undefined): Record<string, string> {
  return { [CONTINUATION_HEADER]: next ?? '' };
}

/** OrchestrationRuntimeStatus, in enum order: Enum.TryParse also takes a member's number. */
const RUNTIME_STATUSES = [
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Canceled',
  'Terminated',
  'Pending',
  'Suspended',
];

/**
 * The runtimeStatus filter, parsed as the extension's Enum.TryParse does: a member's exact name (case
 * matters) or number, whitespace around it ignored. The extension skips a value that parses to nothing
 * and, when none parse, lists every instance; here such a value is refused with the names to use.
 */
export function readRuntimeStatuses(url: URL): string[] | undefined {
  const asked = url.searchParams.getAll('runtimeStatus').flatMap((v) => v.split(','));
  if (asked.length === 0) return undefined;
  const parse = (value: string): string | undefined => {
    const text = value.trim();
    if (/^\d+$/.test(text)) return RUNTIME_STATUSES[Number(text)];
    return RUNTIME_STATUSES.includes(text) ? text : undefined;
  };
  const unknown = asked.filter((s) => !parse(s));
  if (unknown.length)
    throw new HttpRefusal(
      400,
      `runtimeStatus ${unknown.join(',')} is not a runtime status (names are case-sensitive); use ${RUNTIME_STATUSES.join(', ')}.`,
    );
  return asked.map((s) => parse(s)!);
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to the refusal: a token this host did not hand out.
  }
  throw new HttpRefusal(
    400,
    `The ${CONTINUATION_HEADER} header is not one this host handed out; send the one from the previous page, or none for the first page.`,
  );
}
