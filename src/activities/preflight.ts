import type { Services } from './services';
import type { BuildRequest } from '../domain/buildRequest';
import type { PlanFacts } from '../domain/planning/plan';
import {
  checkDefinitionIdentity,
  checkSourceRegion,
  PROVIDER_STATE_UNREADABLE,
  type SourceFacts,
} from '../domain/planning/preflight';
import type { SupportedImage } from '../domain/planning/nodeAgentSku';
import type { PoolRollout, PreflightResult } from '../domain/pipeline';
import type { TargetRegionSpec } from '../ports';
import { planBuild } from '../domain/planning/plan';
import { finding, hasErrors, type Finding } from '../domain/findings';
import { imageDefinitionId } from '../domain/factoryConfig';
import { mustParse, resourceGroupId } from '../domain/resourceId';
import { nextPatchVersion } from '../domain/version';
import { boundedName, OWNER_TAG, SOURCE_TAG, snapshotName, sourceFingerprint } from '../domain/pipeline';
import { PermanentError } from '../domain/errors';
import { mergeTargetRegions } from '../domain/targetRegions';

export interface PreflightInput {
  request: BuildRequest;
  instanceId: string;
  /** The version the definition's ledger leased to this build ("auto" already resolved). */
  version?: string;
}

interface SourceView {
  facts: SourceFacts;
  location?: string;
  disks: PreflightResult['disks'];
  findings: Finding[];
}

/**
 * Everything the pipeline must know before it creates anything: the source's facts, where the gallery
 * is, which version "auto" means, which node agent SKUs each account supports, whether Batch is
 * registered across subscriptions — then the planning rules over all of it.
 */
export async function preflight(
  services: Services,
  { request, instanceId, version: leased }: PreflightInput,
): Promise<PreflightResult> {
  const source = await inspectSource(services, request);
  const definitionId = imageDefinitionId(request.image);
  const existingGalleryLocation = await services.gallery.getGalleryLocation(request.image.galleryId);
  // A version lives in its gallery's region and its source must be in that region too: the gallery's
  // real location, or for a gallery still to be made, the source's. Never a guess (a pool's region, a
  // literal) that would only fail later at Azure with "source ... not in the same region".
  const galleryLocation = existingGalleryLocation ?? source.location ?? '';

  const existingVersions = existingGalleryLocation
    ? await services.gallery.listVersions(definitionId).catch(ignoreMissing)
    : [];
  const version =
    leased ??
    (request.image.version === 'auto'
      ? nextPatchVersion(existingVersions.map((v) => v.name))
      : request.image.version);
  const versionId =
    request.source.type === 'galleryImageVersion' ? request.source.id : `${definitionId}/versions/${version}`;
  const findings: Finding[] = [...source.findings];
  if (!galleryLocation && source.findings.length === 0)
    findings.push(
      finding(
        'GALLERY_LOCATION_UNKNOWN',
        'image.galleryId',
        `The gallery ${request.image.galleryId} does not exist, and the region of a ${request.source.type} source is not read, so the gallery's region is unknown. Create the gallery in the source's region first (az sig create --location <source region>), then submit again.`,
      ),
    );
  findings.push(...checkSourceRegion(request.source, source.location, galleryLocation));
  if (request.source.type !== 'galleryImageVersion' && existingGalleryLocation) {
    const definitions = await services.compute.listImageDefinitions(request.image.galleryId);
    findings.push(...checkDefinitionIdentity(request.image, definitions));
  }
  const disks =
    source.location && source.location !== galleryLocation
      ? source.disks.map((d) => ({ ...d, copyId: copyIdFor(d.snapshotId, galleryLocation) }))
      : source.disks;
  if (request.source.type !== 'galleryImageVersion' && existingVersions.some((v) => v.name === version)) {
    const replication = await services.gallery.getReplication(versionId);
    const madeFrom = replication.tags[SOURCE_TAG];
    if (
      replication.tags[OWNER_TAG] === instanceId &&
      madeFrom &&
      madeFrom !== sourceFingerprint(request.source)
    ) {
      findings.push(
        finding(
          'IMAGE_VERSION_EXISTS',
          'image.version',
          `Image version ${version} was made by an earlier run of this request from another source, and a version's source cannot change; choose a new version, or "auto" for the next patch.`,
        ),
      );
    } else if (replication.tags[OWNER_TAG] !== instanceId) {
      findings.push(
        finding(
          'IMAGE_VERSION_EXISTS',
          'image.version',
          `Image version ${version} already exists in ${request.image.definition} and was not made by this build; choose a new version, or "auto" for the next patch.`,
        ),
      );
    }
  }

  const facts: PlanFacts = {
    now: services.clock.now(),
    source: source.facts,
    galleryRegion: galleryLocation || undefined,
    supportedImages: await supportedImagesByAccount(services, request),
    placement: { batchProviderRegistration: await providerRegistration(services, request) },
  };
  const plan = planBuild(request, facts);
  findings.push(...plan.findings);

  const planned: TargetRegionSpec[] = plan.regions.map((r) => ({
    name: r.name,
    replicaCount: r.replicaCount,
    storageAccountType: request.replication.storageAccountType,
    excludeFromLatest: request.replication.excludeFromLatest,
  }));
  // Rolling out an existing version: keep its regions, add ours, and never lower a replica count.
  const targetRegions =
    request.source.type === 'galleryImageVersion'
      ? mergeTargetRegions((await services.gallery.getReplication(versionId)).targetRegions, planned)
      : planned;
  const pools: PoolRollout[] = plan.pools.map((p) => {
    const pool = request.pools[p.index]!;
    return {
      poolId: pool.poolId,
      account: pool.account,
      replaces: pool.replaces,
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
        metadata: [
          { name: 'bif-request', value: request.requestId },
          { name: 'bif-image-version', value: version },
        ],
      },
    };
  });
  return {
    ok: !hasErrors(findings),
    findings,
    version,
    definitionId,
    versionId,
    galleryLocation,
    galleryExists: existingGalleryLocation !== undefined,
    sourceLocation: source.location ?? galleryLocation,
    targetRegions,
    pools,
    disks,
    capacityByRegion: Object.fromEntries(plan.regions.map((r) => [r.name, r.capacity])),
  };
}

async function inspectSource(services: Services, request: BuildRequest): Promise<SourceView> {
  const notFound = (id: string, what: string): SourceView => ({
    facts: {},
    disks: [],
    findings: [
      finding(
        'SOURCE_NOT_FOUND',
        'source',
        `The ${what} ${id} was not found or cannot be read; check the id and that the identity has Reader on it.`,
      ),
    ],
  });
  switch (request.source.type) {
    case 'virtualMachine': {
      const vm = await services.compute.inspectVirtualMachine(request.source.id).catch(missingAs(undefined));
      if (!vm) return notFound(request.source.id, 'virtual machine');
      const workingGroup = services.workingResourceGroupId ?? resourceGroupId(mustParse(vm.id));
      const snapshotId = (role: 'os' | 'data', lun?: number) =>
        `${workingGroup}/providers/Microsoft.Compute/snapshots/${snapshotName(request.requestId, role, lun)}`;
      const disks: PreflightResult['disks'] = [];
      const diskSkus: Record<string, string> = {};
      if (vm.osDisk.id) disks.push({ role: 'os', diskId: vm.osDisk.id, snapshotId: snapshotId('os') });
      if (vm.osDisk.sku) diskSkus.os = vm.osDisk.sku;
      for (const d of vm.dataDisks) {
        if (d.id)
          disks.push({ role: 'data', lun: d.lun, diskId: d.id, snapshotId: snapshotId('data', d.lun) });
        if (d.sku) diskSkus[`data${d.lun}`] = d.sku;
      }
      return { facts: { ...vm.facts, diskSkus }, location: vm.location, disks, findings: [] };
    }
    case 'snapshots': {
      const os = await services.compute.inspectSnapshot(request.source.osDisk).catch(missingAs(undefined));
      if (!os) return notFound(request.source.osDisk, 'OS disk snapshot');
      for (const d of request.source.dataDisks) {
        const data = await services.compute.inspectSnapshot(d.id).catch(missingAs(undefined));
        if (!data) return notFound(d.id, `data disk snapshot (LUN ${d.lun})`);
      }
      return {
        facts: {
          osType: os.osType,
          hyperVGeneration: os.hyperVGeneration,
          osDiskEncrypted: os.encrypted,
          managedDisks: true,
        },
        location: os.location,
        disks: [],
        findings: [],
      };
    }
    case 'managedImage': {
      const image = await services.compute.inspectManagedImage(request.source.id);
      if (image.state === 'NotFound') return notFound(request.source.id, 'managed image');
      return { facts: {}, location: image.location, disks: [], findings: [] };
    }
    case 'galleryImageVersion': {
      const replication = await services.gallery.getReplication(request.source.id);
      if (replication.provisioningState === 'NotFound') return notFound(request.source.id, 'image version');
      return { facts: { osState: 'Generalized' }, disks: [], findings: [] };
    }
  }
}

/** A 404 on a read means "not there": a finding, not a failed step. */
function missingAs<T>(value: T) {
  return (error: unknown): T => {
    if (error instanceof PermanentError && /NotFound/.test(error.code)) return value;
    throw error;
  };
}

function ignoreMissing(error: unknown): [] {
  if (error instanceof PermanentError && /NotFound/.test(error.code)) return [];
  throw error;
}

async function supportedImagesByAccount(
  services: Services,
  request: BuildRequest,
): Promise<Record<string, SupportedImage[]>> {
  const out: Record<string, SupportedImage[]> = {};
  for (const pool of request.pools) {
    const key = pool.account.id.toLowerCase();
    out[key] ??= await services.batch.listSupportedImages(pool.account);
  }
  return out;
}

async function providerRegistration(
  services: Services,
  request: BuildRequest,
): Promise<Record<string, string>> {
  const gallerySubscription = mustParse(request.image.galleryId).subscriptionId.toLowerCase();
  const crossSubscription = request.pools.some(
    (p) => mustParse(p.account.id).subscriptionId.toLowerCase() !== gallerySubscription,
  );
  if (!crossSubscription) return {};
  try {
    return { [gallerySubscription]: await services.compute.batchProviderState(gallerySubscription) };
  } catch (error) {
    // Reading a subscription's providers needs read access there, which a least-privilege identity
    // may lack: not knowing is a warning to check by hand, not a reason to refuse the build.
    if (error instanceof PermanentError && /^(AuthorizationFailed|Forbidden|Http403)$/.test(error.code))
      return { [gallerySubscription]: PROVIDER_STATE_UNREADABLE };
    throw error;
  }
}

/** The copy of a snapshot in the gallery's region: same group, the region appended, within 80 characters. */
function copyIdFor(snapshotId: string, region: string): string {
  const at = snapshotId.lastIndexOf('/');
  const name = snapshotId.slice(at + 1);
  // Never a blind cut: the snapshot name may end in the hash that keeps long requestIds apart.
  return `${snapshotId.slice(0, at + 1)}${boundedName(`${name}-${region}`, 80, `${name}\n${region}`, { caseInsensitive: true })}`;
}
