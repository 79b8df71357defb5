import type { PhaseName, Timeline } from './timeline';

/** One character per phase, so the chart reads in any terminal (no colours, no box drawing needed). */
const GLYPH: Record<PhaseName, string> = {
  prepare: '.',
  replication: '=',
  pools: '#',
  gate: '?',
  retirement: '~',
};

export const GANTT_LEGEND =
  '. snapshots, image, version   = replication   # pool allocation   ? health gate   ~ retirement';

export function formatMinutes(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 60
    ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
    : `${minutes} min`;
}

/**
 * The timeline as an ASCII Gantt chart: one row per region, `width` columns for the whole makespan
 * (`scaleMs` to draw two charts on one scale), each column the phase under way at its middle.
 */
export function renderGantt(
  timeline: Timeline,
  options: { width?: number; scaleMs?: number } = {},
): string[] {
  const width = options.width ?? 60;
  const scale = Math.max(1, options.scaleMs ?? timeline.makespanMs);
  const label = Math.max(6, ...timeline.lanes.map((l) => l.region.length));
  const rows = timeline.lanes.map((lane) => {
    const cells = Array.from({ length: width }, (_, column) => {
      const t = ((column + 0.5) * scale) / width;
      const phase = lane.phases.find((p) => p.startMs <= t && t < p.endMs);
      return phase ? GLYPH[phase.name] : ' ';
    }).join('');
    const mark = lane.region === timeline.criticalRegion ? '  (critical)' : '';
    return `${lane.region.padEnd(label)} |${cells}| ${formatMinutes(lane.endMs)}${mark}`;
  });
  const axis = `${''.padEnd(label)} 0${formatMinutes(scale).padStart(width + 1)}`;
  return [...rows, axis];
}
