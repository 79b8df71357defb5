import { observationOf, type TimingObservation } from '../../../../src/domain/timings/observation';
import { expectationsFor, historyExtent, learnedProfile } from '../../../../src/domain/timings/learn';
import { perturbProfile, timingProfileSchema } from '../../../../src/domain/timings/profile';
import { TIMING } from '../../../../src/domain/timings/model';
import { validateWith } from '../../../../src/domain/validation';

const MIN = 60_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 29) + minutes * MIN).toISOString();

describe('a timing observation', () => {
  it('records replication against size and replicas, allocation rate against nodes and VM size, cutover', () => {
    const observation = observationOf(
      'render-1',
      { region: 'WestEurope', replicaCount: 12, nodes: 3000, vmSize: 'Standard_D4s_v5' },
      { startedAt: at(0), replicatedAt: at(40), poolsReadyAt: at(73), retiredAt: at(81) },
      { imageSizeGb: 192, poolStartupMs: TIMING.poolStartupMs },
    );
    expect(observation).toEqual({
      region: 'westeurope',
      requestId: 'render-1',
      observedAt: at(81),
      imageSizeGb: 192,
      replicaCount: 12,
      nodes: 3000,
      vmSize: 'Standard_D4s_v5',
      replicationMs: 40 * MIN,
      allocationMs: 33 * MIN,
      // 3000 nodes in the 30 minutes after the 3-minute boot.
      nodesPerMinute: 100,
      retirementMs: 8 * MIN,
    });
  });

  it('learns nothing from a region that never replicated, and no rate from a region without pools', () => {
    const facts = { region: 'eastus', replicaCount: 1, nodes: 0 };
    expect(observationOf('r', facts, { startedAt: at(0) }, { poolStartupMs: 0 })).toBeUndefined();
    const noPools = observationOf(
      'r',
      facts,
      { startedAt: at(0), replicatedAt: at(20), poolsReadyAt: at(20) },
      { poolStartupMs: 0 },
    );
    expect(noPools).not.toHaveProperty('nodesPerMinute');
    expect(noPools).not.toHaveProperty('allocationMs');
  });
});

const observed = (
  requestId: string,
  replicationMinutes: number,
  nodesPerMinute: number,
): TimingObservation => ({
  region: 'eastus',
  requestId,
  observedAt: at(0),
  imageSizeGb: 64,
  replicaCount: 4,
  nodes: 1000,
  replicationMs: replicationMinutes * MIN,
  allocationMs: 13 * MIN,
  nodesPerMinute,
});

describe('learning from history', () => {
  const history = [observed('a', 40, 100), observed('b', 50, 80), observed('c', 400, 90)];

  it('expects the median (one odd run does not move it), for the same size and replicas as observed', () => {
    const expected = expectationsFor(history, [
      { region: 'eastus', replicaCount: 4, nodes: 900, imageSizeGb: 64 },
    ]);
    expect(expected.eastus).toEqual({
      replicationMs: 50 * MIN,
      // Boot, then 900 nodes at the median 90 per minute.
      allocationMs: TIMING.poolStartupMs + 10 * MIN,
      observations: 3,
    });
  });

  it('scales replication with replicas the way the model does, and leaves regions without history out', () => {
    const more = expectationsFor(history, [
      { region: 'eastus', replicaCount: 20, nodes: 0, imageSizeGb: 64 },
      { region: 'brazilsouth', replicaCount: 1, nodes: 10 },
    ]);
    expect(more.eastus!.replicationMs).toBeGreaterThan(50 * MIN);
    expect(more.eastus).not.toHaveProperty('allocationMs');
    expect(more).not.toHaveProperty('brazilsouth');
  });

  it('makes the simulator profile (replication after the source capture) and says what it rests on', () => {
    const profile = learnedProfile(history, [
      { region: 'eastus', replicaCount: 4, nodes: 1000, imageSizeGb: 64 },
    ]);
    expect(profile).toEqual({ regions: { eastus: { replicationMinutes: 48, nodesPerMinute: 90 } } });
    expect(historyExtent(history)).toEqual({ runs: 3, regions: ['eastus'] });
  });
});

describe('a timings profile', () => {
  const profile = {
    regions: {
      westeurope: { replicationMinutes: 20, nodesPerMinute: 100 },
      eastus: { replicationMinutes: 60 },
    },
  };

  it('is perturbed by a known, seeded noise: the same seed gives the same figures, each within ±noise', () => {
    const once = perturbProfile(profile, 7, 0.2);
    expect(perturbProfile(profile, 7, 0.2)).toEqual(once);
    expect(perturbProfile(profile, 8, 0.2)).not.toEqual(once);
    const ratio = once.regions.westeurope!.replicationMinutes! / 20;
    expect(ratio).toBeGreaterThanOrEqual(0.8);
    expect(ratio).toBeLessThanOrEqual(1.2);
    expect(once.regions.eastus).not.toHaveProperty('nodesPerMinute');
  });

  it('refuses a bad file naming the field', () => {
    const checked = validateWith(timingProfileSchema, {
      regions: { 'West Europe': { replicationMinutes: -1, speed: 2 } },
    });
    expect(checked.ok).toBe(false);
    const paths = checked.findings.map((f) => f.path);
    expect(paths.some((p) => p.includes('West Europe'))).toBe(true);
  });
});
