import type {
  GalleryImageVersion,
  GalleryImageVersionPublishingProfile,
  GalleryImageVersionStorageProfile,
  TargetRegion,
} from '@azure/arm-compute';
import {
  VersionBusyError,
  type GalleryPort,
  type ImageDefinitionSpec,
  type TargetRegionSpec,
  type VersionReplication,
  type VersionSummary,
} from '../ports/gallery';
import { OWNER_TAG, SOURCE_TAG } from '../domain/pipeline';
import type { ProvisioningState } from '../ports/compute';
import { mustParse } from '../domain/resourceId';
import { normalizeRegion } from '../domain/region';
import { PermanentError, whenMissing } from '../domain/errors';
import { azureCall, isSdkNotFound, toFactoryError } from './errors';
import { mergeRegions, republished } from './publishingProfile';
import { provisioning, type ComputeClients } from './computeAdapter';
import {
  definitionAccepts,
  definitionSecurityTypeOf,
  takesOnlyImageSources,
  type DefinitionSecurityType,
} from '../domain/planning/securityType';

/**
 * Whether an existing definition's SecurityType takes what the pipeline would have created for the
 * source. A "…Supported" one takes no VM, disk or snapshot source (GalleryRP: only VHD blob, managed
 * image and gallery image version sources), so it matches only a build from an image.
 */
function acceptsSource(
  existing: DefinitionSecurityType,
  wanted: DefinitionSecurityType,
  fromDisks: boolean,
): boolean {
  if (fromDisks && takesOnlyImageSources(existing)) return false;
  return (
    (wanted === 'Standard' || wanted === 'TrustedLaunch' || wanted === 'ConfidentialVM') &&
    definitionAccepts(existing, wanted)
  );
}

/** Parts of a gallery, definition or version id. */
function galleryParts(value: string) {
  const id = mustParse(value);
  return {
    subscriptionId: id.subscriptionId,
    resourceGroup: id.resourceGroup,
    gallery: id.names[0]!,
    image: id.names[1],
    version: id.names[2],
  };
}

const toTargetRegions = (regions: TargetRegionSpec[]): TargetRegion[] =>
  regions.map((r) => ({
    name: r.name,
    regionalReplicaCount: r.replicaCount,
    storageAccountType: r.storageAccountType as TargetRegion['storageAccountType'],
    excludeFromLatest: r.excludeFromLatest ?? false,
  }));

const fromTargetRegions = (regions: TargetRegion[] | undefined): TargetRegionSpec[] =>
  (regions ?? []).map((r) => ({
    name: normalizeRegion(r.name),
    replicaCount: r.regionalReplicaCount ?? 1,
    storageAccountType: r.storageAccountType ?? 'Standard_LRS',
    excludeFromLatest: r.excludeFromLatest,
  }));

/** Azure Compute Gallery through @azure/arm-compute; version creation is started, replication read back. */
export class AzureGalleryAdapter implements GalleryPort {
  constructor(private readonly clients: ComputeClients) {}

  async getGalleryLocation(galleryId: string): Promise<string | undefined> {
    const p = galleryParts(galleryId);
    try {
      const gallery = await this.clients.for(p.subscriptionId).galleries.get(p.resourceGroup, p.gallery);
      return normalizeRegion(gallery.location);
    } catch (error) {
      if (isSdkNotFound(error)) return undefined;
      throw toFactoryError(error, 'Reading gallery', galleryId);
    }
  }

  async ensureGallery(galleryId: string, location: string): Promise<ProvisioningState> {
    const p = galleryParts(galleryId);
    const client = this.clients.for(p.subscriptionId);
    try {
      const existing = await client.galleries.get(p.resourceGroup, p.gallery);
      return provisioning(galleryId, existing.provisioningState);
    } catch (error) {
      if (!isSdkNotFound(error)) throw toFactoryError(error, 'Reading gallery', galleryId);
    }
    await azureCall('Creating gallery', galleryId, () =>
      client.galleries.beginCreateOrUpdate(p.resourceGroup, p.gallery, {
        location,
        description: 'Images built by batch-image-factory',
      }),
    );
    return { id: galleryId, state: 'Creating' };
  }

  async ensureImageDefinition(spec: ImageDefinitionSpec): Promise<ProvisioningState> {
    const p = galleryParts(spec.id);
    const client = this.clients.for(p.subscriptionId);
    let existing;
    try {
      existing = await client.galleryImages.get(p.resourceGroup, p.gallery, p.image!);
    } catch (error) {
      if (!isSdkNotFound(error)) throw toFactoryError(error, 'Reading image definition', spec.id);
    }
    if (existing) {
      const wanted = {
        osType: spec.osType,
        osState: 'Generalized',
        hyperVGeneration: spec.hyperVGeneration,
        identifier: `${spec.identifier.publisher}/${spec.identifier.offer}/${spec.identifier.sku}`,
        securityType: spec.securityType ?? 'Standard',
        architecture: spec.architecture ?? 'x64',
      };
      const actual = {
        osType: existing.osType,
        osState: existing.osState,
        hyperVGeneration: existing.hyperVGeneration ?? 'V1',
        identifier: `${existing.identifier?.publisher}/${existing.identifier?.offer}/${existing.identifier?.sku}`,
        securityType: definitionSecurityTypeOf(existing.features),
        architecture: existing.architecture ?? 'x64',
      };
      const differences = (Object.keys(wanted) as (keyof typeof wanted)[])
        .filter((k) => String(wanted[k]).toLowerCase() !== String(actual[k]).toLowerCase())
        // A SecurityType that accepts the source is a match (a TrustedLaunchSupported definition
        // takes Standard and Trusted Launch images alike, but no disks).
        .filter(
          (k) =>
            k !== 'securityType' ||
            !acceptsSource(actual.securityType, wanted.securityType, spec.fromDisks === true),
        )
        .map((k) =>
          k === 'securityType' && spec.fromDisks && takesOnlyImageSources(actual.securityType)
            ? `securityType is ${actual.securityType} there, which takes no VM, disk or snapshot source (only VHD, managed image and gallery image version sources), but this build copies disks`
            : `${k} is ${actual[k]} there but ${wanted[k]} in the request`,
        );
      if (differences.length > 0) {
        throw new PermanentError(
          `Image definition ${spec.id} already exists and does not match: ${differences.join('; ')}. Use another definition name, or make image.* (and the source's security type and architecture) match it (these properties cannot change).`,
          'ImageDefinitionMismatch',
          spec.id,
        );
      }
      return provisioning(spec.id, existing.provisioningState);
    }
    await azureCall('Creating image definition', spec.id, () =>
      client.galleryImages.beginCreateOrUpdate(p.resourceGroup, p.gallery, p.image!, {
        location: spec.location,
        osType: spec.osType,
        osState: 'Generalized',
        hyperVGeneration: spec.hyperVGeneration,
        identifier: spec.identifier,
        description: spec.description,
        // No feature for Standard: GalleryRP treats a definition without SecurityType as Standard.
        ...(spec.securityType && spec.securityType !== 'Standard'
          ? { features: [{ name: 'SecurityType', value: spec.securityType }] }
          : {}),
        ...(spec.architecture ? { architecture: spec.architecture } : {}),
      }),
    );
    return { id: spec.id, state: 'Creating' };
  }

  async beginImageVersion(spec: Parameters<GalleryPort['beginImageVersion']>[0]): Promise<ProvisioningState> {
    const p = galleryParts(spec.id);
    // Durable runs an activity at least once: a retry after Azure accepted the PUT finds the version
    // Creating, and a second PUT would be refused (409) while it is. The owner tag says whose it is.
    const existing = await this.findVersion(spec.id);
    if (existing) {
      const owner = existing.tags?.[OWNER_TAG];
      const madeFrom = existing.tags?.[SOURCE_TAG];
      if (owner !== undefined && owner === spec.tags?.[OWNER_TAG]) {
        if (madeFrom === undefined || madeFrom === spec.tags?.[SOURCE_TAG])
          return provisioning(spec.id, existing.provisioningState);
        throw new PermanentError(
          `Image version ${spec.id} was made by an earlier run of this build from another source; a version's source cannot change. Choose another version number (or "auto"), or delete that version first.`,
          'VersionExists',
          spec.id,
        );
      }
      throw new PermanentError(
        `Image version ${spec.id} already exists and was not made by this build (its ${OWNER_TAG} tag is ${owner ?? 'absent'}). Choose another version number, or delete that version first.`,
        'VersionExists',
        spec.id,
      );
    }
    const storageProfile: GalleryImageVersion['storageProfile'] =
      'managedImageId' in spec.source
        ? { source: { id: spec.source.managedImageId } }
        : 'versionId' in spec.source
          ? { source: { id: spec.source.versionId } }
          : {
              osDiskImage: { source: { id: spec.source.osSnapshotId }, hostCaching: 'ReadOnly' },
              dataDiskImages: spec.source.dataDisks.map((d) => ({
                lun: d.lun,
                source: { id: d.snapshotId },
                hostCaching: 'None',
              })),
            };
    await azureCall('Creating image version', spec.id, () =>
      this.clients
        .for(p.subscriptionId)
        .galleryImageVersions.beginCreateOrUpdate(p.resourceGroup, p.gallery, p.image!, p.version!, {
          location: spec.location,
          tags: spec.tags,
          publishingProfile: {
            targetRegions: toTargetRegions(spec.targetRegions),
            excludeFromLatest: spec.excludeFromLatest,
            endOfLifeDate: spec.endOfLifeDate ? new Date(spec.endOfLifeDate) : undefined,
          },
          storageProfile,
        }),
    );
    return { id: spec.id, state: 'Creating' };
  }

  async getReplication(versionId: string): Promise<VersionReplication> {
    const p = galleryParts(versionId);
    try {
      const version = await this.clients
        .for(p.subscriptionId)
        .galleryImageVersions.get(p.resourceGroup, p.gallery, p.image!, p.version!, {
          expand: 'ReplicationStatus',
        });
      return {
        id: versionId,
        provisioningState: provisioning(versionId, version.provisioningState).state,
        targetRegions: fromTargetRegions(version.publishingProfile?.targetRegions),
        tags: version.tags ?? {},
        ...imageSize(version.storageProfile),
        regions: (version.replicationStatus?.summary ?? []).map((r) => ({
          region: normalizeRegion(r.region ?? ''),
          state: (r.state ?? 'Unknown') as VersionReplication['regions'][number]['state'],
          progress: r.progress ?? 0,
          details: r.details || undefined,
        })),
      };
    } catch (error) {
      if (isSdkNotFound(error))
        return { id: versionId, provisioningState: 'NotFound', regions: [], targetRegions: [], tags: {} };
      throw toFactoryError(error, 'Reading replication of', versionId);
    }
  }

  async updateTargetRegions(versionId: string, targetRegions: TargetRegionSpec[]): Promise<void> {
    const current = await this.versionForWrite(versionId);
    const profile = current.publishingProfile ?? {};
    await this.patchPublishing(versionId, {
      ...republished(profile),
      targetRegions: mergeRegions(profile.targetRegions ?? [], toTargetRegions(targetRegions)),
    });
  }

  async listVersions(definitionId: string): Promise<VersionSummary[]> {
    const p = galleryParts(definitionId);
    // A gallery or definition still to be made has no versions (the port's contract, said here once).
    const listing = azureCall('Listing versions of', definitionId, async () => {
      const out: VersionSummary[] = [];
      for await (const v of this.clients
        .for(p.subscriptionId)
        .galleryImageVersions.listByGalleryImage(p.resourceGroup, p.gallery, p.image!)) {
        out.push({
          id: v.id ?? `${definitionId}/versions/${v.name}`,
          name: v.name ?? '',
          publishedDate: v.publishingProfile?.publishedDate?.toISOString(),
          excludeFromLatest: Boolean(v.publishingProfile?.excludeFromLatest),
          endOfLifeDate: v.publishingProfile?.endOfLifeDate?.toISOString(),
          provisioningState: provisioning(v.id ?? '', v.provisioningState).state,
          targetRegions: fromTargetRegions(v.publishingProfile?.targetRegions),
          tags: v.tags ?? {},
        });
      }
      return out;
    });
    return whenMissing(listing, []);
  }

  async updateVersionPublishing(
    versionId: string,
    changes: { excludeFromLatest?: boolean; endOfLifeDate?: string },
  ): Promise<void> {
    const current = await this.versionForWrite(versionId);
    const profile = republished(current.publishingProfile ?? {});
    await this.patchPublishing(versionId, {
      ...profile,
      ...(changes.excludeFromLatest !== undefined
        ? {
            excludeFromLatest: changes.excludeFromLatest,
            // The spec has the flag per region too (TargetRegion.excludeFromLatest) and does not say which
            // wins: set both, so a region's own false never keeps a retired version "latest" there.
            targetRegions: profile.targetRegions?.map((r) => ({
              ...r,
              excludeFromLatest: changes.excludeFromLatest,
            })),
          }
        : {}),
      ...(changes.endOfLifeDate ? { endOfLifeDate: new Date(changes.endOfLifeDate) } : {}),
    });
  }

  private async findVersion(versionId: string): Promise<GalleryImageVersion | undefined> {
    const p = galleryParts(versionId);
    try {
      return await this.clients
        .for(p.subscriptionId)
        .galleryImageVersions.get(p.resourceGroup, p.gallery, p.image!, p.version!);
    } catch (error) {
      if (isSdkNotFound(error)) return undefined;
      throw toFactoryError(error, 'Reading image version', versionId);
    }
  }

  /** The version as it is now, when Azure would accept a write to it (not Creating or Updating). */
  private async versionForWrite(versionId: string): Promise<GalleryImageVersion> {
    const version = await this.findVersion(versionId);
    if (!version)
      throw new PermanentError(
        `Image version ${versionId} does not exist (deleted?). Check the version id.`,
        'GalleryImageVersionNotFound',
        versionId,
      );
    const state = version.provisioningState ?? 'Succeeded';
    if (['creating', 'updating'].includes(state.toLowerCase())) throw new VersionBusyError(versionId, state);
    return version;
  }

  /**
   * PATCH with the whole publishing profile and a storageProfile (the spec requires it; `{}` keeps the
   * source, as Microsoft's examples send). A 409 means another write got there first: wait, not fail.
   */
  private async patchPublishing(versionId: string, publishingProfile: GalleryImageVersionPublishingProfile) {
    const p = galleryParts(versionId);
    try {
      await this.clients
        .for(p.subscriptionId)
        .galleryImageVersions.beginUpdate(p.resourceGroup, p.gallery, p.image!, p.version!, {
          publishingProfile,
          storageProfile: {},
        });
    } catch (error) {
      const e = error as { statusCode?: number; code?: string };
      const typed = toFactoryError(error, 'Updating image version', versionId);
      // Only a 409 that clears by itself (another operation holds the version) means "wait"; a permanent
      // 409 (PropertyChangeNotAllowed, OperationNotAllowed for a rule) fails at once.
      if (e.statusCode === 409 && typed.kind === 'transient')
        throw new VersionBusyError(versionId, `being written by another operation (${e.code ?? 'Conflict'})`);
      throw typed;
    }
  }

  async beginDeleteVersion(versionId: string): Promise<void> {
    const p = galleryParts(versionId);
    try {
      await this.clients
        .for(p.subscriptionId)
        .galleryImageVersions.beginDelete(p.resourceGroup, p.gallery, p.image!, p.version!);
    } catch (error) {
      if (!isSdkNotFound(error)) throw toFactoryError(error, 'Deleting image version', versionId);
    }
  }
}

/** The image's size from its disk images, when Azure says (it is read-only, filled once captured). */
function imageSize(profile: GalleryImageVersionStorageProfile | undefined): { sizeGb?: number } {
  const sizes = [profile?.osDiskImage?.sizeInGB, ...(profile?.dataDiskImages ?? []).map((d) => d.sizeInGB)];
  const known = sizes.filter((s): s is number => typeof s === 'number');
  return known.length ? { sizeGb: known.reduce((a, b) => a + b, 0) } : {};
}
