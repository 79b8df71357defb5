import type { RegionStatus } from '../domain/status';
import type { WaveLine } from '../domain/cutover/waves';
import { renderWaves } from './waveView';
import { gateLine } from './gateLine';

/** The progress view of `bif status --watch` and `npm start`: a bar per region, a line per pool. */
interface BuildView {
  instanceId: string;
  runtimeStatus: string;
  pipeline?: {
    requestId?: string;
    stage?: string;
    version?: string;
    error?: string;
    outcome?: Record<string, unknown>;
    regions?: { name: string; replicaCount: number; capacity: number }[];
    /** Statuses list their first regions and pools only (16 KB limit): the totals tell how many more. */
    regionsTotal?: number;
    poolsTotal?: number;
    waves?: WaveLine[];
  };
  regions?: RegionStatus[];
}

const BAR = 24;

function bar(fraction: number): string {
  const filled = Math.max(0, Math.min(BAR, Math.round(fraction * BAR)));
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`;
}

export function renderBuild(view: BuildView): string {
  const p = view.pipeline ?? {};
  const lines = [
    `${p.requestId ?? view.instanceId}  version ${p.version ?? '?'}  ${view.runtimeStatus}  stage: ${p.stage ?? '?'}`,
  ];
  lines.push(...renderWaves(p.waves, p.requestId));
  const byRegion = new Map((view.regions ?? []).map((r) => [r.region, r]));
  for (const planned of p.regions ?? []) {
    const r = byRegion.get(planned.name);
    const progress = r?.replication.state === 'Completed' ? 100 : (r?.replication.progress ?? 0);
    const state = r
      ? `${r.replication.state}${r.replication.attempts > 1 ? ` (attempt ${r.replication.attempts})` : ''}`
      : 'waiting';
    lines.push(
      `  ${planned.name.padEnd(16)} ${bar(progress / 100)} ${String(progress).padStart(3)}%  ${planned.replicaCount} replicas  ${state}`,
    );
    for (const pool of r?.pools ?? []) {
      const nodes = `${pool.currentNodes}/${pool.targetNodes} nodes`;
      lines.push(
        `      pool ${pool.poolId.padEnd(22)} ${bar(pool.targetNodes ? pool.currentNodes / pool.targetNodes : 1)} ${nodes.padEnd(16)} ${pool.allocationState ?? ''} ${pool.state}${pool.errors?.length ? ` ${pool.errors.join(',')}` : ''}`,
      );
      const gate = gateLine(pool);
      if (gate) lines.push(gate);
    }
    const hiddenPools = (r?.poolsTotal ?? 0) - (r?.pools.length ?? 0);
    if (r && hiddenPools > 0)
      lines.push(`      +${hiddenPools} more pools (${describeCounts(r.poolCounts)})`);
    if (r?.reason) lines.push(`      ${r.reason}`);
  }
  const hiddenRegions = (p.regionsTotal ?? 0) - (p.regions?.length ?? 0);
  if (hiddenRegions > 0) lines.push(`  +${hiddenRegions} more regions`);
  if (p.error) lines.push(`  error: ${p.error}`);
  return lines.join('\n');
}

function describeCounts(counts: Record<string, number> | undefined): string {
  return Object.entries(counts ?? {})
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

export const TERMINAL = ['Completed', 'Failed', 'Terminated'];

/** A build by its request id, or any orchestration (e.g. an Event Grid rollout) by its instance id. */
export type BuildRef = string | { instanceId: string };

function buildPath(ref: BuildRef): string {
  return typeof ref === 'string'
    ? `/api/builds/${encodeURIComponent(ref)}`
    : `/api/builds/instances/${encodeURIComponent(ref.instanceId)}`;
}

/** The host answered a status read with an error (bad id, missing key, host failure): its status and text. */
export class HostAnswerError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    readonly text: string,
  ) {
    super(`GET ${path} answered ${status}: ${errorText(text)}`);
  }
}

/** The host's `{"error": …}` message when it sent one, else its text. */
function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: the text as it came
  }
  return text;
}

/** GET the build's status; `key` is the function key the route's authLevel asks for. */
export async function fetchBuild(host: string, ref: BuildRef, key?: string): Promise<BuildView | undefined> {
  const path = buildPath(ref);
  const response = await fetch(`${host}${path}`, { headers: key ? { 'x-functions-key': key } : {} });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new HostAnswerError(path, response.status, await response.text());
  return (await response.json()) as BuildView;
}

/**
 * Polls until the build ends and writes each change; returns the last view. `view` redraws the
 * progress view in place on a terminal; `ndjson` writes the status object as one JSON line per
 * change, never redrawing (`bif status --json --watch`, for scripts that read line by line).
 */
export async function watchBuild(
  host: string,
  id: BuildRef,
  write: (text: string) => void,
  intervalMs = 500,
  timeoutMs = 30 * 60_000,
  key?: string,
  format: 'view' | 'ndjson' = 'view',
): Promise<BuildView | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let view: BuildView | undefined;
  const redraw = format === 'view' && process.stdout.isTTY;
  while (Date.now() < deadline) {
    view = await fetchBuild(host, id, key);
    if (view) {
      const text = format === 'ndjson' ? JSON.stringify(view) : renderBuild(view);
      if (text !== last) {
        if (redraw && last) write(`\x1b[${last.split('\n').length}A\x1b[0J`);
        write(`${text}\n`);
        last = text;
      }
      if (TERMINAL.includes(view.runtimeStatus)) return view;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return view;
}
