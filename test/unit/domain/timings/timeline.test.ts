import {
  barrierMakespanMs,
  barrierTimeline,
  spansOf,
  timelineOf,
} from '../../../../src/domain/timings/timeline';

const MIN = 60_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 29) + minutes * MIN).toISOString();

describe('timeline from the region rollouts’ milestones', () => {
  const timeline = timelineOf(
    at(0),
    [
      { region: 'westeurope', timeline: { startedAt: at(10), replicatedAt: at(25), poolsReadyAt: at(60) } },
      {
        region: 'eastus',
        timeline: { startedAt: at(10), replicatedAt: at(55), poolsReadyAt: at(65), retiredAt: at(70) },
      },
      { region: 'northeurope', timeline: { startedAt: at(10) } },
    ],
    at(72),
  );

  it('turns milestones into phases from the pipeline start; the makespan runs to the pipeline end', () => {
    expect(timeline.lanes[1]).toEqual({
      region: 'eastus',
      phases: [
        { name: 'prepare', startMs: 0, endMs: 10 * MIN },
        { name: 'replication', startMs: 10 * MIN, endMs: 55 * MIN },
        { name: 'pools', startMs: 55 * MIN, endMs: 65 * MIN },
        { name: 'retirement', startMs: 65 * MIN, endMs: 70 * MIN },
      ],
      endMs: 70 * MIN,
    });
    expect(timeline.lanes[2]!.phases.map((p) => p.name)).toEqual(['prepare']);
    expect(timeline.makespanMs).toBe(72 * MIN);
    expect(timeline.criticalRegion).toBe('eastus');
  });

  it('computes the barrier: every region’s pools wait for the slowest replication', () => {
    // westeurope: pools (35 min) start at 55 instead of 25 → ends at 90; eastus unchanged at 70.
    expect(barrierMakespanMs(spansOf(timeline))).toBe(90 * MIN);
    const barrier = barrierTimeline(timeline);
    expect(barrier.lanes[0]!.phases.find((p) => p.name === 'pools')).toEqual({
      name: 'pools',
      startMs: 55 * MIN,
      endMs: 90 * MIN,
    });
    expect(barrier.criticalRegion).toBe('westeurope');
    // The pipeline's own tail after its last region (2 min) is kept.
    expect(barrier.makespanMs).toBe(92 * MIN);
  });

  it('a barrier over one region, or none, is the region itself', () => {
    expect(barrierMakespanMs([])).toBe(0);
    expect(barrierMakespanMs([{ preMs: 5, replicationMs: 10, afterMs: 20 }])).toBe(35);
  });
});
