import { badRequest } from './batchErrors';

/*
 * The OData query options Batch list operations take: `$filter` (only `prop eq 'value'` clauses joined
 * by `or`, the form the pipeline sends — anything else is refused rather than misread), `$select`, and
 * `maxresults` paging with `odata.nextLink` carrying a `$skiptoken`. Batch refuses values out of range:
 * https://learn.microsoft.com/rest/api/batchservice/odata-filters-in-batch
 */

/** Batch's wording for it (the same code and message as Azure Storage's). */
export const invalidQuery = (name: string, value: string, reason?: string) =>
  badRequest(
    'InvalidQueryParameterValue',
    'Value for one of the query parameters specified in the request URI is invalid.',
    { QueryParameterName: name, QueryParameterValue: value, ...(reason ? { Reason: reason } : {}) },
  );

/**
 * A well-formed value outside the range the operation allows: Batch's own code for it
 * (BatchErrorCodeStrings.OutOfRangeQueryParameterValue, "a query parameter is out of range").
 */
export const outOfRangeQuery = (name: string, value: string, range: string) =>
  badRequest(
    'OutOfRangeQueryParameterValue',
    'The value for one of the query parameters specified in the request URI is out of range.',
    { QueryParameterName: name, QueryParameterValue: value, Reason: `must be ${range}` },
  );

/** `state eq 'a' or (state eq 'b')` → the accepted values of `property`; undefined when no filter. */
export function eqFilter(url: URL, property: string): Set<string> | undefined {
  const text = url.searchParams.get('$filter');
  if (text === null || text.trim() === '') return undefined;
  const values = new Set<string>();
  for (const raw of text.split(/\s+or\s+/i)) {
    const clause = raw
      .trim()
      .replace(/^\((.*)\)$/, '$1')
      .trim();
    const match = /^(\w+)\s+eq\s+'([^']*)'$/i.exec(clause);
    if (!match || match[1]!.toLowerCase() !== property.toLowerCase())
      throw invalidQuery('$filter', text, `this simulator takes ${property} eq '…' clauses joined by or`);
    values.add(match[2]!.toLowerCase());
  }
  return values;
}

/** `maxresults` within Batch's range for the operation (its default when absent). */
export function maxResults(url: URL, defaultValue: number, max: number): number {
  const text = url.searchParams.get('maxresults');
  if (text === null) return defaultValue;
  const value = Number(text);
  if (!Number.isInteger(value)) throw invalidQuery('maxresults', text, 'must be an integer');
  if (value < 1 || value > max) throw outOfRangeQuery('maxresults', text, `1 to ${max}`);
  return value;
}

/**
 * Keeps only the `$select`ed properties of each item. Every name must be one of `properties`, spelled
 * exactly (Batch's names are case-sensitive) and top-level (no `a/b` path): otherwise 400, as Batch
 * answers "an invalid property" rather than leaving it out.
 */
export function selectProperties(
  url: URL,
  items: Record<string, unknown>[],
  properties: ReadonlySet<string>,
): Record<string, unknown>[] {
  const text = url.searchParams.get('$select');
  if (text === null) return items;
  const keys = text.split(',').map((k) => k.trim());
  const wrong = keys.find((k) => !properties.has(k));
  if (wrong !== undefined) throw invalidQuery('$select', text, selectReason(wrong, properties));
  return items.map((item) => Object.fromEntries(keys.filter((k) => k in item).map((k) => [k, item[k]])));
}

function selectReason(name: string, properties: ReadonlySet<string>): string {
  if (name === '') return 'an empty property name (a stray comma?)';
  if (name.includes('/')) return `'${name}' is a path; $select takes top-level properties only`;
  const miscased = [...properties].find((p) => p.toLowerCase() === name.toLowerCase());
  return miscased
    ? `'${name}' is not a property; names are case-sensitive: '${miscased}'`
    : `'${name}' is not a property of this list`;
}

/** One page of `items` and, when more remain, the link to the next (the same query, further on). */
export function page<T>(url: URL, items: T[], size: number): { value: T[]; nextLink?: string } {
  const token = url.searchParams.get('$skiptoken') ?? '0';
  const skip = Number(token);
  if (!/^\d+$/.test(token) || !Number.isSafeInteger(skip)) throw invalidQuery('$skiptoken', token);
  const value = items.slice(skip, skip + size);
  if (skip + size >= items.length) return { value };
  const next = new URL(url.href);
  next.searchParams.set('$skiptoken', String(skip + size));
  // The link is the URL this request came to: it works on the account's own port and under /batch/{a}.
  return { value, nextLink: next.href };
}
