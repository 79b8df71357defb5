import fc from 'fast-check';
import { planRegions, replicasFor, MAX_REPLICAS_PER_REGION } from '../../../src/domain/planning/replicas';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { exampleInput, poolInput } from '../../helpers/requests';

function requestWith(pools: object[], replication: object = {}) {
  const input = exampleInput();
  return buildRequestSchema.parse({ ...input, pools, replication });
}

describe('replicasFor (1 replica per 300 VMs, with headroom)', () => {
  it('serves every VM: replicas × 300 ≥ capacity × (1 + headroom)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 300 }),
        (capacity, headroom) => {
          const replicas = replicasFor(capacity, headroom);
          expect(replicas).toBeGreaterThanOrEqual(1);
          expect(replicas * 300 * 100).toBeGreaterThanOrEqual(capacity * (100 + headroom));
          // …and is the smallest such count.
          if (replicas > 1) expect((replicas - 1) * 300 * 100).toBeLessThan(capacity * (100 + headroom));
        },
      ),
    );
  });

  it('never decreases when capacity or headroom grows', () => {
    fc.assert(
      fc.property(
        fc.nat(30_000),
        fc.nat(1000),
        fc.nat(200),
        fc.nat(50),
        (capacity, more, headroom, moreHeadroom) => {
          expect(replicasFor(capacity + more, headroom)).toBeGreaterThanOrEqual(
            replicasFor(capacity, headroom),
          );
          expect(replicasFor(capacity, headroom + moreHeadroom)).toBeGreaterThanOrEqual(
            replicasFor(capacity, headroom),
          );
        },
      ),
    );
  });

  it('avoids floating-point overshoot: 3000 VMs at 20% headroom is exactly 12', () => {
    expect(replicasFor(3000, 20)).toBe(12);
    expect(replicasFor(3000, 0)).toBe(10);
  });
});

describe('planRegions', () => {
  it('gives a 3000-node pool in one region at least 10 replicas', () => {
    const { regions, findings } = planRegions(
      requestWith([poolInput({ targetDedicatedNodes: 3000 })], { headroomPercent: 0 }),
    );
    expect(regions).toHaveLength(1);
    expect(regions[0]).toMatchObject({ name: 'westeurope', capacity: 3000, replicaCount: 10 });
    expect(findings).toEqual([]);
  });

  it('sums dedicated and low-priority nodes of every pool in the region', () => {
    const { regions } = planRegions(
      requestWith(
        [
          poolInput({ poolId: 'a', targetDedicatedNodes: 200, targetLowPriorityNodes: 100 }),
          poolInput({ poolId: 'b', targetDedicatedNodes: 301 }),
        ],
        { headroomPercent: 0 },
      ),
    );
    expect(regions[0]).toMatchObject({ capacity: 601, replicaCount: 3, poolIndexes: [0, 1] });
  });

  it('rejects 40,000 nodes in one region with the replica-limit finding and its fix', () => {
    const { regions, findings } = planRegions(requestWith([poolInput({ targetDedicatedNodes: 40_000 })]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: 'REPLICA_LIMIT_EXCEEDED',
      severity: 'error',
      path: 'pools[0]',
    });
    expect(findings[0]!.message).toMatch(/134 replicas/);
    expect(findings[0]!.message).toMatch(/Split the pools/);
    expect(regions[0]!.replicaCount).toBe(MAX_REPLICAS_PER_REGION);
  });

  it('caps headroom at 100 replicas with a warning when the minimum still fits', () => {
    const { regions, findings } = planRegions(
      requestWith([poolInput({ targetDedicatedNodes: 29_000 })], { headroomPercent: 50 }),
    );
    expect(regions[0]!.replicaCount).toBe(100);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['REPLICA_HEADROOM_CAPPED', 'warning']]);
  });

  it('adds extra regions and the gallery region with one replica, once each', () => {
    const { regions } = planRegions(
      requestWith([poolInput()], { extraRegions: ['North Europe', 'northeurope', 'westeurope'] }),
      'uksouth',
    );
    expect(regions.map((r) => [r.name, r.replicaCount, r.reason])).toEqual([
      ['westeurope', 1, 'pools'],
      ['northeurope', 1, 'extraRegion'],
      ['uksouth', 1, 'galleryRegion'],
    ]);
  });

  it('finds a request with no region to replicate to', () => {
    const { findings } = planRegions(requestWith([]));
    expect(findings.map((f) => f.code)).toEqual(['NO_TARGET_REGIONS']);
  });
});
