import { renderGantt, formatMinutes } from '../../../../src/domain/timings/gantt';
import { summarize, type RegionLane } from '../../../../src/domain/timings/timeline';
import { renderWhatIf, whatIfReport } from '../../../../src/domain/timings/report';

const MIN = 60_000;
const lane = (region: string, phases: [string, number, number][]): RegionLane => ({
  region,
  phases: phases.map(([name, s, e]) => ({ name: name as never, startMs: s * MIN, endMs: e * MIN })),
  endMs: Math.max(...phases.map(([, , e]) => e)) * MIN,
});

describe('Gantt chart', () => {
  const timeline = summarize([
    lane('westeurope', [
      ['prepare', 0, 10],
      ['replication', 10, 30],
      ['pools', 30, 40],
    ]),
    lane('eastus', [
      ['prepare', 0, 10],
      ['replication', 10, 20],
      ['pools', 20, 25],
      ['retirement', 25, 30],
    ]),
  ]);

  it('draws one row per region, a column per 1/width of the makespan, the critical region marked', () => {
    expect(renderGantt(timeline, { width: 8 })).toEqual([
      'westeurope |..====##| 40 min  (critical)',
      'eastus     |..==#~  | 30 min',
      '           0   40 min',
    ]);
  });

  it('draws two charts on one scale when asked, so their lengths compare', () => {
    const [row] = renderGantt(timeline, { width: 8, scaleMs: 80 * MIN });
    expect(row).toBe('westeurope |.==#    | 40 min  (critical)');
  });

  it('formats minutes and hours', () => {
    expect([formatMinutes(5 * MIN), formatMinutes(125 * MIN)]).toEqual(['5 min', '2 h 05 min']);
  });

  it('prints both strategies, both makespans, the saving and where the timings came from', () => {
    const text = renderWhatIf(
      whatIfReport(timeline, { kind: 'learned', runs: 2, regions: ['eastus'] }, 'simulator'),
    );
    expect(text).toContain('Timings: learned from 2 runs (eastus)');
    expect(text).toContain('predicted makespan 40 min, critical region westeurope');
    // Barrier: every pool waits for westeurope's replication (30 min): eastus ends at 30 + 10.
    expect(text).toMatch(/Barrier strategy[\s\S]*predicted makespan 40 min/);
    expect(text).toContain('Per-region gating saves 0 min.');
  });
});
