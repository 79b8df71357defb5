import type { RegionTimeline } from './observation';

/**
 * A pipeline's timeline per region, in ms from the pipeline's start: what the Gantt chart draws and
 * what the makespans are read from. Built from the region rollouts' own milestones.
 */
export type PhaseName = 'prepare' | 'replication' | 'pools' | 'gate' | 'retirement';

export interface Phase {
  name: PhaseName;
  startMs: number;
  endMs: number;
}

export interface RegionLane {
  region: string;
  phases: Phase[];
  endMs: number;
}

export interface Timeline {
  lanes: RegionLane[];
  /** Pipeline start to end (the last region, plus what the pipeline does after: retention). */
  makespanMs: number;
  /** The region that ends last: the one to look at to finish sooner. */
  criticalRegion: string;
}

const MILESTONES: [PhaseName, keyof RegionTimeline][] = [
  ['replication', 'replicatedAt'],
  ['pools', 'poolsReadyAt'],
  ['gate', 'gatedAt'],
  ['retirement', 'retiredAt'],
];

function laneOf(region: string, startMs: number, timeline: RegionTimeline): RegionLane {
  const at = (iso: string) => Date.parse(iso) - startMs;
  const phases: Phase[] = [];
  let cursor = at(timeline.startedAt);
  if (cursor > 0) phases.push({ name: 'prepare', startMs: 0, endMs: cursor });
  for (const [name, key] of MILESTONES) {
    const iso = timeline[key];
    if (!iso) continue;
    const end = at(iso);
    phases.push({ name, startMs: cursor, endMs: end });
    cursor = end;
  }
  return { region, phases, endMs: cursor };
}

/** The timeline of one run: lanes in the order given; the makespan runs to `endedAt` when later. */
export function timelineOf(
  startedAt: string,
  regions: { region: string; timeline: RegionTimeline }[],
  endedAt?: string,
): Timeline {
  const startMs = Date.parse(startedAt);
  const lanes = regions.map((r) => laneOf(r.region, startMs, r.timeline));
  return summarize(lanes, endedAt ? Date.parse(endedAt) - startMs : 0);
}

export function summarize(lanes: RegionLane[], endMs = 0): Timeline {
  const critical = lanes.reduce<RegionLane | undefined>(
    (latest, lane) => (!latest || lane.endMs > latest.endMs ? lane : latest),
    undefined,
  );
  return {
    lanes,
    makespanMs: Math.max(endMs, critical?.endMs ?? 0),
    criticalRegion: critical?.region ?? '',
  };
}

/** One region's durations, the input of a barrier computation. */
export interface RegionSpan {
  /** From the pipeline's start to the region's replication start (shared work: snapshots, image, version). */
  preMs: number;
  replicationMs: number;
  /** Everything after replication: pools, gate, retirement. */
  afterMs: number;
}

/**
 * The barrier strategy's makespan: every region replicates, then every pool starts at once. The
 * pools of all regions wait for the slowest replication.
 */
export function barrierMakespanMs(spans: RegionSpan[]): number {
  if (spans.length === 0) return 0;
  const replicatedAll = Math.max(...spans.map((s) => s.preMs + s.replicationMs));
  return replicatedAll + Math.max(...spans.map((s) => s.afterMs));
}

export function spansOf(timeline: Timeline): RegionSpan[] {
  return timeline.lanes.map((lane) => {
    const replication = lane.phases.find((p) => p.name === 'replication');
    const replicatedAt = replication?.endMs ?? lane.endMs;
    return {
      preMs: replication?.startMs ?? 0,
      replicationMs: replication ? replication.endMs - replication.startMs : 0,
      afterMs: lane.endMs - replicatedAt,
    };
  });
}

/**
 * The same run under the barrier strategy: each region's phases after replication shifted to start
 * when the last region has replicated. What the pipeline does after its regions (the tail) is kept.
 */
export function barrierTimeline(timeline: Timeline): Timeline {
  const spans = spansOf(timeline);
  const tail = timeline.makespanMs - Math.max(0, ...timeline.lanes.map((l) => l.endMs));
  const replicatedAll = Math.max(0, ...spans.map((s) => s.preMs + s.replicationMs));
  const lanes = timeline.lanes.map((lane) => {
    const replication = lane.phases.find((p) => p.name === 'replication');
    const shift = replication ? replicatedAll - replication.endMs : 0;
    const phases = lane.phases.map((p) =>
      p.name === 'prepare' || p.name === 'replication'
        ? p
        : { ...p, startMs: p.startMs + shift, endMs: p.endMs + shift },
    );
    return { region: lane.region, phases, endMs: lane.endMs + shift };
  });
  const barrier = summarize(lanes);
  return { ...barrier, makespanMs: barrierMakespanMs(spans) + tail };
}
