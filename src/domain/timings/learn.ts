import { TIMING, replicationMs as modelReplicationMs } from './model';
import type { TimingObservation } from './observation';
import type { TimingProfile } from './profile';

/**
 * From recorded observations to figures: the simulator's per-region profile (for `bif simulate`) and
 * the expectations poll pacing uses. The median resists one odd run; replication is scaled from what
 * was observed to what is asked with the model's shape (size and replica count), since the region's
 * distance is what the history knows and the model does not.
 */

/** How long one region is expected to take, from the start of its rollout. */
export interface RegionExpectation {
  /** From the version request to the region's replication completing. */
  replicationMs?: number;
  /** From replication completing to the region's pools allocated. */
  allocationMs?: number;
  /** How many observations it rests on. */
  observations: number;
}

export interface RegionAsk {
  region: string;
  replicaCount: number;
  nodes: number;
  imageSizeGb?: number;
}

const DEFAULT_SIZE_GB = 30;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** An observed replication rescaled to another size and replica count with the model's shape. */
function rescaledReplication(o: TimingObservation, ask: RegionAsk): number {
  const shape = (sizeGb: number, replicas: number) => modelReplicationMs(o.region, sizeGb, replicas, false);
  const observedSize = o.imageSizeGb ?? DEFAULT_SIZE_GB;
  const askedSize = ask.imageSizeGb ?? observedSize;
  return (o.replicationMs! * shape(askedSize, ask.replicaCount)) / shape(observedSize, o.replicaCount);
}

const ofRegion = (observations: TimingObservation[], region: string) =>
  observations.filter((o) => o.region === region.toLowerCase());

/** The expectation for each asked region that has history; regions without history are left out. */
export function expectationsFor(
  observations: TimingObservation[],
  asks: RegionAsk[],
): Record<string, RegionExpectation> {
  const expectations: Record<string, RegionExpectation> = {};
  for (const ask of asks) {
    const mine = ofRegion(observations, ask.region);
    if (mine.length === 0) continue;
    const replication = median(
      mine.filter((o) => o.replicationMs !== undefined).map((o) => rescaledReplication(o, ask)),
    );
    const rate = median(mine.flatMap((o) => (o.nodesPerMinute ? [o.nodesPerMinute] : [])));
    const expectation: RegionExpectation = { observations: mine.length };
    if (replication !== undefined) expectation.replicationMs = Math.round(replication);
    if (rate !== undefined && ask.nodes > 0)
      expectation.allocationMs = Math.round(TIMING.poolStartupMs + (ask.nodes / rate) * 60_000);
    expectations[ask.region] = expectation;
  }
  return expectations;
}

/**
 * The simulator's profile from history: replication minutes after the source is captured (the
 * observation counts from the version request) and the median allocation rate.
 */
export function learnedProfile(observations: TimingObservation[], asks: RegionAsk[]): TimingProfile {
  const regions: TimingProfile['regions'] = {};
  const expectations = expectationsFor(observations, asks);
  for (const ask of asks) {
    const expectation = expectations[ask.region];
    if (!expectation) continue;
    const rate = median(
      ofRegion(observations, ask.region).flatMap((o) => (o.nodesPerMinute ? [o.nodesPerMinute] : [])),
    );
    regions[ask.region.toLowerCase()] = {
      ...(expectation.replicationMs !== undefined
        ? {
            replicationMinutes: +(
              Math.max(60_000, expectation.replicationMs - TIMING.versionPrepareMs) / 60_000
            ).toFixed(2),
          }
        : {}),
      ...(rate !== undefined ? { nodesPerMinute: rate } : {}),
    };
  }
  return { regions };
}

/** What a region took after its pools were ready, learned: the health gate and the retirement. */
export interface AfterPools {
  gateMs?: number;
  retirementMs?: number;
}

/** Per asked region with history, the median gate and retirement time its runs observed. */
export function learnedAfterPools(
  observations: TimingObservation[],
  asks: Pick<RegionAsk, 'region'>[],
): Record<string, AfterPools> {
  const after: Record<string, AfterPools> = {};
  for (const ask of asks) {
    const mine = ofRegion(observations, ask.region);
    const gateMs = median(mine.flatMap((o) => (o.gateMs !== undefined ? [o.gateMs] : [])));
    const retirementMs = median(mine.flatMap((o) => (o.retirementMs !== undefined ? [o.retirementMs] : [])));
    if (gateMs === undefined && retirementMs === undefined) continue;
    after[ask.region.toLowerCase()] = {
      ...(gateMs !== undefined ? { gateMs } : {}),
      ...(retirementMs !== undefined ? { retirementMs } : {}),
    };
  }
  return after;
}

/** The image size the history saw (median), for a request whose size is not known before it runs. */
export function learnedSizeGb(observations: TimingObservation[]): number | undefined {
  return median(observations.flatMap((o) => (o.imageSizeGb !== undefined ? [o.imageSizeGb] : [])));
}

/** How many runs and which regions a history covers, for "learned from N runs (…)". */
export function historyExtent(observations: TimingObservation[]): { runs: number; regions: string[] } {
  return {
    runs: new Set(observations.map((o) => o.requestId)).size,
    regions: [...new Set(observations.map((o) => o.region))].sort(),
  };
}
