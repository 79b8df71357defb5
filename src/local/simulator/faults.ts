/**
 * Injected faults: what a test or a scenario wants Azure to do wrong, and how often. Request faults
 * fire before a request is handled; the others are consulted where their moment comes (an operation
 * ending, a region replicating, a pool allocating).
 */
type FaultKind =
  /** 429 with Retry-After and x-ms-ratelimit-remaining-* headers. */
  | 'throttle'
  /** An HTTP error status (500, 503, …) with an Azure-shaped body. */
  | 'status'
  /** The connection is destroyed without an answer. */
  | 'reset'
  /** A long-running operation that ends Failed. */
  | 'lroFail'
  /** A region's replication fails part-way. */
  | 'regionReplicationFail'
  /** A pool's allocation stops with resize errors. */
  | 'poolAllocationFail'
  /**
   * A share of a pool's nodes end in `nodeState` instead of idle (never consumed: it shapes every read),
   * for the pools of an image version, a pool id or a region (batch/nodes.ts).
   */
  | 'nodeState';

export interface FaultRule {
  id?: string;
  kind: FaultKind;
  /** Which requests: 'arm' or 'batch' (request faults; default both). */
  service?: 'arm' | 'batch';
  method?: string;
  /** Case-insensitive substring of the request path (or, for lroFail, of the resource id). */
  pathContains?: string;
  region?: string;
  poolId?: string;
  /** How many times it fires; absent = every time. */
  times?: number;
  status?: number;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  /** For region and pool failures: how far it gets before failing (0-1). */
  atFraction?: number;
  /** nodeState: the state the chosen nodes end in, e.g. unusable or starttaskfailed. */
  nodeState?: 'unusable' | 'starttaskfailed' | 'unknown' | 'offline' | 'preempted';
  /** nodeState: the share of the pool's nodes affected (0-1, default 1), spread evenly. */
  share?: number;
  /** nodeState: only pools made from this gallery image version. */
  imageVersionId?: string;
  /** nodeState starttaskfailed: the start task's exit code (default 1). */
  exitCode?: number;
}

export const REQUEST_FAULTS: readonly FaultKind[] = ['throttle', 'status', 'reset'];

interface FaultProbe {
  service?: 'arm' | 'batch';
  method?: string;
  path?: string;
  region?: string;
  poolId?: string;
}

/** Finds the first matching rule of one of `kinds` and uses up one of its firings. */
export function takeFault(
  rules: FaultRule[],
  kinds: readonly FaultKind[],
  probe: FaultProbe,
): FaultRule | undefined {
  const index = rules.findIndex(
    (rule) =>
      kinds.includes(rule.kind) &&
      (rule.times === undefined || rule.times > 0) &&
      (!rule.service || !probe.service || rule.service === probe.service) &&
      (!rule.method || rule.method.toUpperCase() === probe.method?.toUpperCase()) &&
      (!rule.pathContains || (probe.path ?? '').toLowerCase().includes(rule.pathContains.toLowerCase())) &&
      (!rule.region || rule.region.toLowerCase() === probe.region?.toLowerCase()) &&
      (!rule.poolId || rule.poolId.toLowerCase() === probe.poolId?.toLowerCase()),
  );
  if (index < 0) return undefined;
  const rule = rules[index]!;
  if (rule.times !== undefined) {
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(index, 1);
  }
  return rule;
}
