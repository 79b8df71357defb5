import type { Services } from './services';
import type { BuildRequest } from '../domain/buildRequest';
import type { SupportedImage } from '../domain/planning/nodeAgentSku';
import { PROVIDER_STATE_UNREADABLE } from '../domain/planning/preflight';
import {
  chooseVersion,
  plannedVersionId,
  type ExistingVersion,
  type PipelineFacts,
  type SourceReading,
} from '../domain/planning/pipelinePlan';
import { imageDefinitionId } from '../domain/factoryConfig';
import { mustParse } from '../domain/resourceId';
import { PermanentError, whenMissing } from '../domain/errors';
import { gatherCapacityFacts } from './capacityFacts';

/**
 * What a build must know before it decides, read through the ports and nothing decided here: the
 * source, the gallery's region, the definition's versions (and the one at the planned id), the
 * gallery's definitions, the node agent SKUs of every account, Microsoft.Batch across subscriptions.
 * src/domain/planning/pipelinePlan.ts decides from these.
 */
export async function gatherFacts(
  request: BuildRequest,
  services: Services,
  context: { instanceId: string; leasedVersion?: string },
): Promise<PipelineFacts> {
  const galleryLocation = await services.gallery.getGalleryLocation(request.image.galleryId);
  const versionNames = galleryLocation
    ? (await services.gallery.listVersions(imageDefinitionId(request.image))).map((v) => v.name)
    : [];
  const makesVersion = request.source.type !== 'galleryImageVersion';
  const version = chooseVersion(request, versionNames, context.leasedVersion);
  return {
    now: services.clock.now(),
    instanceId: context.instanceId,
    leasedVersion: context.leasedVersion,
    source: await readSource(services, request),
    workingResourceGroupId: services.workingResourceGroupId,
    galleryLocation,
    versionNames,
    existingVersion:
      !makesVersion || versionNames.includes(version)
        ? await readVersion(services, plannedVersionId(request, version))
        : undefined,
    definitions:
      makesVersion && galleryLocation
        ? await services.compute.listImageDefinitions(request.image.galleryId)
        : undefined,
    sourceDefinitions:
      request.source.type === 'galleryImageVersion'
        ? await services.compute.listImageDefinitions(request.source.id.split('/').slice(0, -4).join('/'))
        : undefined,
    supportedImages: await supportedImagesByAccount(services, request),
    batchProviderRegistration: await providerRegistration(services, request),
    capacity: await gatherCapacityFacts(services, request),
  };
}

async function readVersion(services: Services, versionId: string): Promise<ExistingVersion | undefined> {
  const version = await services.gallery.getReplication(versionId);
  return version.provisioningState === 'NotFound'
    ? undefined
    : { tags: version.tags, targetRegions: version.targetRegions };
}

async function readSource(services: Services, request: BuildRequest): Promise<SourceReading> {
  const missing = (id: string, what: string): SourceReading => ({ found: false, id, what });
  const source = request.source;
  switch (source.type) {
    case 'virtualMachine': {
      const vm = await whenMissing(services.compute.inspectVirtualMachine(source.id), undefined);
      if (!vm) return missing(source.id, 'virtual machine');
      const disks = [
        ...(vm.osDisk.id ? [{ role: 'os' as const, diskId: vm.osDisk.id }] : []),
        ...vm.dataDisks.flatMap((d) => (d.id ? [{ role: 'data' as const, lun: d.lun, diskId: d.id }] : [])),
      ];
      const diskSkus: Record<string, string> = {};
      if (vm.osDisk.sku) diskSkus.os = vm.osDisk.sku;
      for (const d of vm.dataDisks) if (d.sku) diskSkus[`data${d.lun}`] = d.sku;
      return {
        found: true,
        facts: { ...vm.facts, diskSkus },
        location: vm.location,
        vm: { id: vm.id, disks },
      };
    }
    case 'snapshots': {
      const os = await whenMissing(services.compute.inspectSnapshot(source.osDisk), undefined);
      if (!os) return missing(source.osDisk, 'OS disk snapshot');
      for (const d of source.dataDisks) {
        if (!(await whenMissing(services.compute.inspectSnapshot(d.id), undefined)))
          return missing(d.id, `data disk snapshot (LUN ${d.lun})`);
      }
      const facts = {
        osType: os.osType,
        hyperVGeneration: os.hyperVGeneration,
        osDiskEncrypted: os.encrypted,
        managedDisks: true,
        security: { securityType: os.securityType, architecture: os.architecture },
      };
      return { found: true, facts, location: os.location };
    }
    case 'managedImage': {
      const image = await services.compute.inspectManagedImage(source.id);
      if (image.state === 'NotFound') return missing(source.id, 'managed image');
      // A managed image is never Trusted Launch: Azure makes none from a Trusted Launch VM or disk.
      const facts = {
        hyperVGeneration: image.hyperVGeneration,
        security: { securityType: 'Standard' as const },
      };
      return { found: true, facts, location: image.location };
    }
    case 'galleryImageVersion': {
      const version = await services.gallery.getReplication(source.id);
      if (version.provisioningState === 'NotFound') return missing(source.id, 'image version');
      return { found: true, facts: { osState: 'Generalized' } };
    }
  }
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

/** ARM's answers when the identity may not read a subscription's resource providers. */
const FORBIDDEN_CODES = new Set(['AuthorizationFailed', 'Forbidden', 'Http403']);

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
    if (error instanceof PermanentError && FORBIDDEN_CODES.has(error.code))
      return { [gallerySubscription]: PROVIDER_STATE_UNREADABLE };
    throw error;
  }
}
