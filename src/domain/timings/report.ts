import { GANTT_LEGEND, formatMinutes, renderGantt } from './gantt';
import { barrierTimeline, type Timeline } from './timeline';

/**
 * What a what-if answers, the same from `bif simulate` and POST /api/simulate: the predicted
 * timeline per region, its makespan and critical region, the same for the barrier strategy (every
 * region replicates, then every pool), and where the timings came from.
 */
export type TimingsSource =
  | { kind: 'learned'; runs: number; regions: string[] }
  | { kind: 'model' }
  | { kind: 'file'; file: string; unused?: true };

export interface WhatIfReport {
  /** "learned from 2 runs (eastus, westeurope)", "built-in model", "file timings.json". */
  timingsFrom: string;
  source: TimingsSource;
  /** How it was predicted: the real pipeline against the simulator, or the timing model alone. */
  method: 'simulator' | 'model';
  perRegion: Timeline & { makespanMinutes: number };
  barrier: Timeline & { makespanMinutes: number };
  /** What gating each region's pools on that region's replication saves over the barrier. */
  savedMinutes: number;
}

export function describeSource(source: TimingsSource): string {
  switch (source.kind) {
    case 'learned':
      return `learned from ${source.runs} run${source.runs === 1 ? '' : 's'} (${source.regions.join(', ')})`;
    case 'model':
      return 'built-in model';
    case 'file':
      return source.unused
        ? `file ${source.file} (no region of this request: built-in model used)`
        : `file ${source.file}`;
  }
}

const minutes = (ms: number) => +(ms / 60_000).toFixed(1);

export function whatIfReport(
  timeline: Timeline,
  source: TimingsSource,
  method: WhatIfReport['method'],
): WhatIfReport {
  const barrier = barrierTimeline(timeline);
  return {
    timingsFrom: describeSource(source),
    source,
    method,
    perRegion: { ...timeline, makespanMinutes: minutes(timeline.makespanMs) },
    barrier: { ...barrier, makespanMinutes: minutes(barrier.makespanMs) },
    savedMinutes: minutes(barrier.makespanMs - timeline.makespanMs),
  };
}

/** The report for a terminal: both charts on one time scale, so their lengths compare. */
export function renderWhatIf(report: WhatIfReport, width = 60): string {
  const scaleMs = Math.max(report.perRegion.makespanMs, report.barrier.makespanMs);
  const how =
    report.method === 'simulator' ? 'the pipeline run against the simulator' : 'the timing model alone';
  return [
    `Timings: ${report.timingsFrom}; predicted by ${how}.`,
    '',
    'Per-region gating (what the pipeline does): each region’s pools start when that region has replicated',
    ...renderGantt(report.perRegion, { width, scaleMs }),
    `  predicted makespan ${formatMinutes(report.perRegion.makespanMs)}, critical region ${report.perRegion.criticalRegion}`,
    '',
    'Barrier strategy: every region replicates, then every pool starts',
    ...renderGantt(report.barrier, { width, scaleMs }),
    `  predicted makespan ${formatMinutes(report.barrier.makespanMs)}, critical region ${report.barrier.criticalRegion}`,
    '',
    `Per-region gating saves ${formatMinutes(Math.max(0, report.barrier.makespanMs - report.perRegion.makespanMs))}.`,
    `Legend: ${GANTT_LEGEND}`,
    '',
  ].join('\n');
}
