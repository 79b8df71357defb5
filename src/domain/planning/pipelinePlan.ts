import type { BuildRequest } from '../buildRequest';
import type { PoolRollout } from '../batchPool';
import { healthPolicy } from '../cutover/healthGate';
import { poolChecks } from '../cutover/poolChecks';
import type { SupportedImage } from './nodeAgentSku';
import { finding, hasErrors, type Finding } from '../findings';
import { imageDefinitionId } from '../factoryConfig';
import { mustParse, resourceGroupId } from '../resourceId';
import { nextPatchVersion } from '../version';
import {
  boundedName,
  OWNER_TAG,
  snapshotName,
  SOURCE_TAG,
  sourceFingerprint,
  type PreflightResult,
} from '../pipeline';
import { mergeTargetRegions, type TargetRegionSpec } from '../targetRegions';
import { planBuild, type BuildPlan } from './plan';
import { pipelinePoolMetadata } from '../poolTemplate/templateRules';
import { checkDefinitionIdentity, checkSourceRegion, type SourceFacts } from './preflight';
import type { Architecture, DefinitionSecurityType, SecurityFacts } from './securityType';
import { withCutoverPlans, type CapacityFacts } from '../cutover/capacity';

/** An image definition as the planning reads it: name, publisher/offer/sku, security type, architecture. */
export interface DefinitionReading {
  name: string;
  publisher: string;
  offer: string;
  sku: string;
  /** Its `SecurityType` feature (none: Standard) and architecture (none: x64). */
  securityType?: DefinitionSecurityType;
  architecture?: Architecture;
}

/** What reading the source found: its facts, or that it is not there (or not readable). */
export type SourceReading =
  | { found: false; id: string; what: string }
  | {
      found: true;
      facts: SourceFacts;
      /** Unknown for an image version source (its region is not read). */
      location?: string;
      /** A virtual machine source: its id and the managed disks to snapshot, OS disk first. */
      vm?: { id: string; disks: { role: 'os' | 'data'; lun?: number; diskId: string }[] };
    };

/** An image version that already exists at the id the plan uses (or the source version to roll out). */
export interface ExistingVersion {
  tags: Record<string, string>;
  targetRegions: TargetRegionSpec[];
}

/**
 * Everything a pipeline must know about the world before it decides: gathered by the preflight
 * activity (src/activities/gatherFacts.ts) for builds, by the Event Grid trigger for follower rollouts,
 * or written by hand in tests. Plain data; no ports.
 */
export interface PipelineFacts {
  now: Date;
  /** The instance planning: a version it made itself (owner tag) is its own, not a clash. */
  instanceId: string;
  /** The version the definition's ledger leased to this build ("auto" already resolved). */
  leasedVersion?: string;
  source: SourceReading;
  /** Where snapshots go when configured; else the source VM's resource group. */
  workingResourceGroupId?: string;
  /** The gallery's region; undefined when the gallery does not exist. */
  galleryLocation?: string;
  /** Names of the definition's versions (empty when the gallery or definition does not exist). */
  versionNames: readonly string[];
  /** The version at the planned id, when it exists. */
  existingVersion?: ExistingVersion;
  /** The gallery's image definitions (read when it exists and the build makes a version). */
  definitions?: DefinitionReading[];
  /** An image version source: its own gallery's definitions (its definition decides what pools need). */
  sourceDefinitions?: DefinitionReading[];
  /** Supported images per Batch account id (lower-case). */
  supportedImages?: Record<string, readonly SupportedImage[]>;
  /** Registration state of Microsoft.Batch per subscription id (lower-case), cross-subscription only. */
  batchProviderRegistration?: Record<string, string>;
  /** Core quotas and pools per Batch account id (lower-case): capacity during cutover. */
  capacity?: CapacityFacts;
}

/** The version a build makes: the leased one, the next patch for "auto", or the one asked for. */
export function chooseVersion(
  request: Pick<BuildRequest, 'image'>,
  versionNames: readonly string[],
  leased?: string,
): string {
  if (leased) return leased;
  return request.image.version === 'auto' ? nextPatchVersion(versionNames) : request.image.version;
}

/** The image version the pipeline writes or, for an existing-version source, rolls out. */
export function plannedVersionId(request: Pick<BuildRequest, 'image' | 'source'>, version: string): string {
  return request.source.type === 'galleryImageVersion'
    ? request.source.id
    : `${imageDefinitionId(request.image)}/versions/${version}`;
}

/**
 * The one planning step of a pipeline — builds, follower rollouts and the builds the refresh timer
 * starts alike: from the request and the facts, the version, where it lives, its target regions, the
 * pools with every value resolved, the disks to capture, and every finding. No I/O.
 */
export function planPipeline(request: BuildRequest, facts: PipelineFacts): PreflightResult {
  const source = facts.source;
  const sourceLocation = source.found ? source.location : undefined;
  // A version lives in its gallery's region and its source must be in that region too: the gallery's
  // real location, or for a gallery still to be made, the source's. Never a guess (a pool's region, a
  // literal) that would only fail later at Azure with "source ... not in the same region".
  const galleryLocation = facts.galleryLocation ?? sourceLocation ?? '';
  const version = chooseVersion(request, facts.versionNames, facts.leasedVersion);
  const versionId = plannedVersionId(request, version);
  const findings = [
    ...sourceFindings(request, facts, galleryLocation),
    ...existingVersionFindings(request, facts, version),
  ];
  const plan = planBuild(request, {
    now: facts.now,
    source: source.found ? withDefinitionSecurity(request, source.facts, facts) : {},
    galleryRegion: galleryLocation || undefined,
    supportedImages: facts.supportedImages,
    placement: { batchProviderRegistration: facts.batchProviderRegistration ?? {} },
  });
  findings.push(...plan.findings);
  const cutover = withCutoverPlans(
    poolRollouts(request, plan, versionId, version),
    facts.capacity,
    request.cutover,
    (poolId) => request.pools.findIndex((p) => p.poolId === poolId),
  );
  findings.push(...cutover.findings);
  return {
    ok: !hasErrors(findings),
    findings,
    version,
    definitionId: imageDefinitionId(request.image),
    versionId,
    galleryLocation,
    galleryExists: facts.galleryLocation !== undefined,
    sourceLocation: sourceLocation ?? galleryLocation,
    targetRegions: targetRegionsOf(request, plan, facts.existingVersion),
    pools: cutover.pools,
    disks: disksToCapture(request, facts, galleryLocation),
    capacityByRegion: Object.fromEntries(plan.regions.map((r) => [r.name, r.capacity])),
    image: plan.image,
  };
}

/**
 * The source's facts with the security type and architecture of the definition that decides: the
 * existing target definition for a build, the source version's own for an existing-version rollout.
 */
function withDefinitionSecurity(request: BuildRequest, sourceFacts: SourceFacts, facts: PipelineFacts) {
  const [definitions, name] =
    request.source.type === 'galleryImageVersion'
      ? [facts.sourceDefinitions, request.source.id.split('/').at(-3)!]
      : [facts.definitions, request.image.definition];
  const found = definitions?.find((d) => d.name.toLowerCase() === name.toLowerCase());
  if (!found) return sourceFacts;
  const definition: SecurityFacts['definition'] = {
    securityType: found.securityType ?? 'Standard',
    architecture: found.architecture ?? 'x64',
  };
  return { ...sourceFacts, security: { ...sourceFacts.security, definition } };
}

function sourceFindings(request: BuildRequest, facts: PipelineFacts, galleryLocation: string): Finding[] {
  const source = facts.source;
  const findings: Finding[] = [];
  if (!source.found)
    findings.push(
      finding(
        'SOURCE_NOT_FOUND',
        'source',
        `The ${source.what} ${source.id} was not found or cannot be read; check the id and that the identity has Reader on it.`,
      ),
    );
  else if (!galleryLocation)
    findings.push(
      finding(
        'GALLERY_LOCATION_UNKNOWN',
        'image.galleryId',
        `The gallery ${request.image.galleryId} does not exist, and the region of a ${request.source.type} source is not read, so the gallery's region is unknown. Create the gallery in the source's region first (az sig create --location <source region>), then submit again.`,
      ),
    );
  if (source.found) findings.push(...checkSourceRegion(request.source, source.location, galleryLocation));
  if (facts.definitions) findings.push(...checkDefinitionIdentity(request.image, facts.definitions));
  return findings;
}

/** A version of that name already there: ours from this very request and source, or a clash. */
function existingVersionFindings(request: BuildRequest, facts: PipelineFacts, version: string): Finding[] {
  const existing = facts.existingVersion;
  if (request.source.type === 'galleryImageVersion' || !existing) return [];
  const madeFrom = existing.tags[SOURCE_TAG];
  const ours = existing.tags[OWNER_TAG] === facts.instanceId;
  if (ours && (!madeFrom || madeFrom === sourceFingerprint(request.source))) return [];
  const message = ours
    ? `Image version ${version} was made by an earlier run of this request from another source, and a version's source cannot change; choose a new version, or "auto" for the next patch.`
    : `Image version ${version} already exists in ${request.image.definition} and was not made by this build; choose a new version, or "auto" for the next patch.`;
  return [finding('IMAGE_VERSION_EXISTS', 'image.version', message)];
}

function targetRegionsOf(
  request: BuildRequest,
  plan: BuildPlan,
  existing: ExistingVersion | undefined,
): TargetRegionSpec[] {
  const { storageAccountType, excludeFromLatest } = request.replication;
  const planned = plan.regions.map((r): TargetRegionSpec => ({
    name: r.name,
    replicaCount: r.replicaCount,
    storageAccountType,
    // Azure's default is false: only a true needs saying (the adapter sends false for an absent one).
    ...(excludeFromLatest ? { excludeFromLatest } : {}),
  }));
  // Rolling out an existing version: keep its regions, add ours, and never lower a replica count.
  return request.source.type === 'galleryImageVersion'
    ? mergeTargetRegions(existing?.targetRegions ?? [], planned)
    : planned;
}

function poolRollouts(
  request: BuildRequest,
  plan: BuildPlan,
  versionId: string,
  version: string,
): PoolRollout[] {
  return plan.pools.map((p) => {
    const pool = request.pools[p.index]!;
    return {
      poolId: pool.poolId,
      account: pool.account,
      replaces: pool.replaces,
      health: healthPolicy(request.health, pool.health),
      ...poolChecks(request, pool),
      spec: {
        poolId: pool.poolId,
        vmSize: pool.vmSize,
        imageVersionId: versionId,
        nodeAgentSkuId: pool.nodeAgentSkuId,
        targetDedicatedNodes: pool.targetDedicatedNodes,
        targetLowPriorityNodes: pool.targetLowPriorityNodes,
        resizeTimeout: p.resizeTimeout,
        taskSlotsPerNode: pool.taskSlotsPerNode,
        startTask: pool.startTask,
        ...(pool.template ? { template: pool.template } : {}),
        ...(plan.image?.poolSecurityProfile ? { securityProfile: plan.image.poolSecurityProfile } : {}),
        metadata: pipelinePoolMetadata(request.requestId, version),
      },
    };
  });
}

/**
 * A VM source's disks with the snapshots the pipeline makes of them (named after the request, so a
 * retry finds them) and, when the VM is in another region than the gallery, the copy in the gallery's.
 */
function disksToCapture(
  request: BuildRequest,
  facts: PipelineFacts,
  galleryLocation: string,
): PreflightResult['disks'] {
  const source = facts.source;
  if (!source.found || !source.vm) return [];
  const group = facts.workingResourceGroupId ?? resourceGroupId(mustParse(source.vm.id));
  const crossRegion = source.location !== undefined && source.location !== galleryLocation;
  return source.vm.disks.map((d) => {
    const snapshotId = `${group}/providers/Microsoft.Compute/snapshots/${snapshotName(request.requestId, d.role, d.lun)}`;
    return {
      ...d,
      snapshotId,
      ...(crossRegion ? { copyId: copyIdFor(snapshotId, galleryLocation) } : {}),
    };
  });
}

/** The copy of a snapshot in the gallery's region: same group, the region appended, within 80 characters. */
function copyIdFor(snapshotId: string, region: string): string {
  const at = snapshotId.lastIndexOf('/');
  const name = snapshotId.slice(at + 1);
  // Never a blind cut: the snapshot name may end in the hash that keeps long requestIds apart.
  return `${snapshotId.slice(0, at + 1)}${boundedName(`${name}-${region}`, 80, `${name}\n${region}`, { caseInsensitive: true })}`;
}
