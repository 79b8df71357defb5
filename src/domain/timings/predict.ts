import type { BuildRequest } from '../buildRequest';
import type { BuildPlan } from '../planning/plan';
import { poolCapacity } from '../planning/poolTemplate';
import { TIMING, allocationMs, replicationMs } from './model';
import { overridesOf, type TimingProfile } from './profile';
import { summarize, type Phase, type RegionLane, type Timeline } from './timeline';
import type { AfterPools } from './learn';

/**
 * The timing model alone, without running anything: the prediction POST /api/simulate gives in Azure,
 * where there is no simulator to run the pipeline against. It adds up the same figures the simulator
 * uses (learned per region when a profile is given) along the pipeline's shape, but not the pipeline's
 * own behaviour (poll lag, retries, throttling): `bif simulate` runs the real pipeline for that.
 * The image size is not known before the build reads its source: the model assumes `assumedSizeGb`.
 */
const ASSUMED_SIZE_GB = 30;

/** Snapshots (in parallel), the gallery and definition, then the version request. */
function preparationMs(request: BuildRequest, sizeGb: number): number {
  const gallery = TIMING.galleryMs + TIMING.galleryImageMs;
  switch (request.source.type) {
    case 'virtualMachine':
    case 'snapshots':
      return TIMING.snapshotMs(sizeGb) + gallery;
    case 'managedImage':
      return gallery;
    case 'galleryImageVersion':
      return 0;
  }
}

export interface PredictOptions {
  profile?: TimingProfile;
  galleryRegion?: string;
  /** The image size to assume (learned from history when there is some), else ASSUMED_SIZE_GB. */
  assumedSizeGb?: number;
  /** Per region (lower case), what its gate and retirement took before: part of the makespan. */
  afterPools?: Record<string, AfterPools>;
}

export function predictTimeline(
  request: BuildRequest,
  plan: Pick<BuildPlan, 'regions'>,
  options: PredictOptions = {},
): Timeline {
  const overrides = options.profile ? overridesOf(options.profile) : {};
  const sizeGb = options.assumedSizeGb ?? ASSUMED_SIZE_GB;
  const pre = preparationMs(request, sizeGb);
  const lanes = plan.regions.map((region): RegionLane => {
    const home = region.name === options.galleryRegion?.toLowerCase();
    const replicated =
      pre +
      TIMING.versionPrepareMs +
      replicationMs(region.name, sizeGb, region.replicaCount, home, overrides);
    // A region's pools allocate side by side: the largest one sets the pace.
    const pools = region.poolIndexes.map((i) =>
      allocationMs(poolCapacity(request.pools[i]!), region.replicaCount, overrides, region.name),
    );
    const ready = replicated + Math.max(0, ...pools);
    const phases: Phase[] = [
      ...(pre > 0 ? [{ name: 'prepare' as const, startMs: 0, endMs: pre }] : []),
      { name: 'replication' as const, startMs: pre, endMs: replicated },
      ...(pools.length ? [{ name: 'pools' as const, startMs: replicated, endMs: ready }] : []),
    ];
    const after = pools.length ? options.afterPools?.[region.name.toLowerCase()] : undefined;
    let end = ready;
    for (const [name, ms] of [
      ['gate', after?.gateMs],
      ['retirement', after?.retirementMs],
    ] as const)
      if (ms) {
        phases.push({ name, startMs: end, endMs: end + ms });
        end += ms;
      }
    return { region: region.name, phases, endMs: end };
  });
  return summarize(lanes);
}
