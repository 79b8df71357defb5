import { query, type SimRequest, type SimResponse } from '../http';
import { badRequest } from './batchErrors';
import { maxResults } from './odataQuery';

/**
 * The Batch data plane's list answers: OData pages of `maxresults` (1-1000, default 1000; out of range
 * is 400 OutOfRangeQueryParameterValue) with an `odata.nextLink`, and `$filter` on the properties each list supports (learn.microsoft.com/rest/api/
 * batchservice/odata-filters-in-batch). Only `eq` clauses joined by `and` are modelled; a property the
 * list does not support is refused as Batch refuses it.
 */
export function odata(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json;odata=minimalmetadata', ...headers },
    text: JSON.stringify(body),
  };
}

/** The `$filter` properties the job, job schedule and task lists all take (Batch's OData filter tables). */
export const BY_ID_AND_STATE = {
  id: (item: Record<string, unknown>) => item.id as string,
  state: (item: Record<string, unknown>) => item.state as string,
};

export function listPage<T>(
  req: SimRequest,
  items: T[],
  metadata: string,
  filterable: Record<string, (item: T) => string | undefined>,
): SimResponse {
  const clauses = parseFilter(query(req, '$filter'), Object.keys(filterable));
  const matching = items.filter((item) =>
    clauses.every((c) => (filterable[c.property]!(item) ?? '').toLowerCase() === c.value.toLowerCase()),
  );
  const size = maxResults(req.url, 1000, 1000);
  const skip = Number(query(req, 'skiptoken') ?? 0) || 0;
  const page = matching.slice(skip, skip + size);
  const next = new URL(req.url.href);
  next.searchParams.set('skiptoken', String(skip + size));
  return odata(200, {
    'odata.metadata': metadata,
    value: page,
    ...(skip + size < matching.length ? { 'odata.nextLink': next.href } : {}),
  });
}

function parseFilter(filter: string | undefined, allowed: string[]): { property: string; value: string }[] {
  if (!filter?.trim()) return [];
  return filter.split(/\s+and\s+/i).map((clause) => {
    const match = /^\s*([A-Za-z/]+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    const property = allowed.find((a) => a.toLowerCase() === match?.[1]?.toLowerCase());
    if (!match || !property)
      throw badRequest(
        'InvalidQueryParameterValue',
        'Value for one of the query parameters specified in the request URI is invalid.',
        {
          QueryParameterName: '$filter',
          QueryParameterValue: filter,
          Reason: `supported here: ${allowed.map((a) => `${a} eq '…'`).join(', ')}`,
        },
      );
    return { property, value: match[2]!.replace(/''/g, "'") };
  });
}
