/**
 * The built-in timing model: how long things take in Azure, as realistic orders of magnitude from
 * Azure documentation and field reports, not measurements. Snapshots take minutes, images minutes,
 * replication tens of minutes per region (more for big images and many replicas), pool allocation
 * minutes per few hundred nodes. The cloud simulator runs on it; `bif simulate` and POST /api/simulate
 * predict with it when there is no learned history. Pure: the Function App uses it too.
 */
const MINUTE = 60_000;

/** Per-region figures that replace the model's (a timings file, learned history, a benchmark's skew). */
export interface TimingOverrides {
  /** Exact replication minutes per region (lower-case name), after the source is captured. */
  replicationMinutes?: Record<string, number>;
  /** Nodes per minute once the pool's VMs boot, per region (lower-case name). */
  nodesPerMinute?: Record<string, number>;
}

export const TIMING = {
  snapshotMs: (sizeGb: number) => 2 * MINUTE + sizeGb * 500,
  managedImageMs: 3 * MINUTE,
  galleryMs: 0.5 * MINUTE,
  galleryImageMs: 0.5 * MINUTE,
  /** Before any region starts copying, the source is captured. */
  versionPrepareMs: 2 * MINUTE,
  deleteMs: 1 * MINUTE,
  versionDeleteMs: 3 * MINUTE,
  /** Pool VMs boot before the first node shows up. */
  poolStartupMs: 3 * MINUTE,
  /** Nodes per minute when the region has enough replicas (1 per 300 nodes). */
  nodesPerMinute: 100,
  poolShrinkMs: 2 * MINUTE,
  poolDrainMs: 5 * MINUTE,
  poolDeleteMs: 3 * MINUTE,
};

/**
 * Replication time for one region: a base that depends on the region's distance from the source
 * (stable per region name), plus copy time that grows with image size and with the number of
 * replicas, shrunk by copying up to 8 replicas in parallel.
 */
export function replicationMs(
  region: string,
  sizeGb: number,
  replicas: number,
  isHomeRegion: boolean,
  overrides: TimingOverrides = {},
): number {
  const override = overrides.replicationMinutes?.[region.toLowerCase()];
  if (override !== undefined) return override * MINUTE;
  const base = isHomeRegion ? 3 : 10 + (stableHash(region) % 21); // 10-30 minutes away from home
  const copy = sizeGb * 0.25 * (1 + (replicas - 1) / 8);
  return Math.round((base + copy) * MINUTE);
}

/**
 * Allocation time for a pool: boot, then nodes at a rate that falls when the region has fewer than
 * 1 replica per 300 nodes (replica starvation is why the rule exists).
 */
export function allocationMs(
  nodes: number,
  replicasInRegion: number,
  overrides: TimingOverrides = {},
  region?: string,
): number {
  if (nodes <= 0) return 0;
  const wanted = Math.ceil(nodes / 300);
  const starvation = Math.min(1, Math.max(0.1, replicasInRegion / wanted));
  const rate =
    (region ? overrides.nodesPerMinute?.[region.toLowerCase()] : undefined) ?? TIMING.nodesPerMinute;
  return Math.round(TIMING.poolStartupMs + (nodes / (rate * starvation)) * MINUTE);
}

function stableHash(text: string): number {
  let h = 2166136261;
  for (const ch of text.toLowerCase()) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}
