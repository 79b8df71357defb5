/**
 * Custom status must stay under the Durable extension's 16 KB of UTF-16 JSON, or Azure fails the
 * orchestration (and with it whatever that episode was doing, such as publishing Pipeline.Failed).
 * Statuses therefore list only their first entries with a count of the rest, and cut long texts.
 * Pure and deterministic: safe in orchestrators.
 */

/** Well under the 16 KB the extension allows (it counts UTF-16 bytes, two per JavaScript char). */
export const STATUS_BUDGET_BYTES = 12 * 1024;
/** Entries a status lists of each kind before it only counts them. */
export const STATUS_LIST_LIMIT = 20;
/** Characters kept of an error or a reason. */
export const STATUS_TEXT_LIMIT = 1_000;

export function statusBytes(value: unknown): number {
  return (JSON.stringify(value) ?? '').length * 2;
}

export function truncateText(text: string, max = STATUS_TEXT_LIMIT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (+${text.length - max} more characters)`;
}

/** Entries that come first (e.g. failures), then the rest, in their own order. */
export function firstEntries<T>(items: readonly T[], limit: number, first?: (item: T) => boolean): T[] {
  const ordered = first ? [...items.filter(first), ...items.filter((i) => !first(i))] : items;
  return ordered.slice(0, limit);
}

/**
 * Builds a status with at most `limit` entries per list, halving the limit until the status fits the
 * budget; with no entries at all (counts and truncated texts only) every status here is a few KB.
 */
export function withinBudget<T>(build: (limit: number) => T): T {
  for (let limit = STATUS_LIST_LIMIT; limit > 0; limit = Math.floor(limit / 2)) {
    const status = build(limit);
    if (statusBytes(status) <= STATUS_BUDGET_BYTES) return status;
  }
  return build(0);
}

/** How many entries are in each state: `{ ready: 98, failed: 2 }`. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * A failure reason made of many parts (one per region or pool): the first ones, each cut, and how many
 * more. It travels in Pipeline.Failed and the instance's output, which must stay a reasonable size.
 */
export function joinReasons(parts: readonly string[], limit = STATUS_LIST_LIMIT): string {
  const shown = parts.slice(0, limit).map((p) => truncateText(p, 500));
  const more = parts.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}
