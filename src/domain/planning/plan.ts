import type { BuildRequest } from '../buildRequest';
import { hasErrors, type Finding } from '../findings';
import { planRegions, type RegionPlan } from './replicas';
import { planResizeTimeout } from './resizeTimeout';
import { checkNodeAgentSku, type SupportedImage } from './nodeAgentSku';
import { checkPools } from './pools';
import { checkHealth } from './healthChecks';
import { checkPlacement, checkSource, type PlacementFacts, type SourceFacts } from './preflight';
import { checkImageNames } from './imageNames';
import { planImageSecurity, type ImageSecurityPlan } from './securityType';
import { checkImageSecurity } from './securityFindings';
import { checkPoolSecurityProfiles } from './poolSecurityProfile';
import { checkPoolTemplate, poolCapacity, templatePlan } from './poolTemplate';
import type { EffectivePool } from '../poolTemplate/effectivePool';
import { checkWaves, planWaves, type PlannedWave } from '../cutover/waves';

export interface PoolPlan {
  poolId: string;
  region: string;
  nodeAgentSkuId: string;
  resizeTimeout: string;
  /** Index into request.pools. */
  index: number;
  /** Templated pools: the pool the pipeline would send to Batch (secrets redacted). */
  effectivePool?: EffectivePool;
}

export interface BuildPlan {
  valid: boolean;
  regions: RegionPlan[];
  pools: PoolPlan[];
  /** Security type and architecture from source to definition to pool. */
  image: ImageSecurityPlan;
  findings: Finding[];
  /** With `waves` in the request: the cutover order (src/domain/cutover/waves.ts). */
  waves?: PlannedWave[];
}

/** Facts gathered at preflight; `bif plan` runs with none, the pipeline with all it can get. */
export interface PlanFacts {
  now: Date;
  /** Supported images per Batch account id (lower-case); accounts missing here are not checked. */
  supportedImages?: Record<string, readonly SupportedImage[]>;
  /** Same list for every account, e.g. from a file given to `bif plan`. */
  supportedImagesForAll?: readonly SupportedImage[];
  source?: SourceFacts;
  placement?: PlacementFacts;
  /** The gallery's region: it must be a target region. */
  galleryRegion?: string;
}

/** The pure planning step: everything the rules say about a request, no side effects. */
export function planBuild(request: BuildRequest, facts: PlanFacts): BuildPlan {
  const findings: Finding[] = [];
  const { regions, findings: regionFindings } = planRegions(request, facts.galleryRegion);
  findings.push(...regionFindings);
  findings.push(...checkPools(request.pools));
  findings.push(...checkHealth(request));

  const pools = request.pools.map((pool, index): PoolPlan => {
    const at = `pools[${index}]`;
    const timeout = planResizeTimeout(poolCapacity(pool), pool.resizeTimeout, `${at}.resizeTimeout`);
    findings.push(...timeout.findings);
    findings.push(...checkPoolTemplate(pool, timeout.resizeTimeout, at, facts.now));
    const supported = facts.supportedImages?.[pool.account.id.toLowerCase()] ?? facts.supportedImagesForAll;
    findings.push(
      ...checkNodeAgentSku(
        pool.nodeAgentSkuId,
        request.image.osType,
        `${at}.nodeAgentSkuId`,
        supported,
        facts.now,
      ),
    );
    return {
      poolId: pool.poolId,
      region: pool.account.region,
      nodeAgentSkuId: pool.nodeAgentSkuId,
      resizeTimeout: timeout.resizeTimeout,
      index,
      ...templatePlan(request, pool, timeout.resizeTimeout),
    };
  });

  if (facts.source) findings.push(...checkSource(request, facts.source));
  findings.push(...checkPlacement(request, facts.placement));
  findings.push(
    ...checkWaves(
      request.waves,
      pools.map((p) => p.region),
      request.replication.extraRegions,
    ),
  );
  findings.push(...checkImageNames(request.image));
  const allSupported = [
    ...Object.values(facts.supportedImages ?? {}).flat(),
    ...(facts.supportedImagesForAll ?? []),
  ];
  findings.push(...checkImageSecurity(request, facts.source?.security, allSupported));
  const image = planImageSecurity(request, facts.source?.security);
  findings.push(...checkPoolSecurityProfiles(request, image));
  const waves = request.waves
    ? {
        waves: planWaves(
          request.waves,
          regions.map((r) => r.name),
        ),
      }
    : {};
  return { valid: !hasErrors(findings), regions, pools, image, findings, ...waves };
}

/** The stable JSON shape `bif plan --json` and `POST /api/plan` print. */
export function planSummary(plan: BuildPlan) {
  return {
    valid: plan.valid,
    regions: plan.regions.map(({ name, capacity, replicaCount }) => ({ name, capacity, replicaCount })),
    pools: plan.pools.map(({ poolId, region, nodeAgentSkuId, resizeTimeout, effectivePool }) => ({
      poolId,
      region,
      nodeAgentSkuId,
      resizeTimeout,
      ...(effectivePool ? { effectivePool } : {}),
    })),
    findings: plan.findings,
    // New in #12: security type and architecture (a key of its own, so existing keys keep their meaning).
    image: plan.image,
    ...(plan.waves ? { waves: plan.waves } : {}),
  };
}

export type PlanSummary = ReturnType<typeof planSummary>;
