import { ArmFailure, invalidParameter } from './armErrors';
import { isReady } from './kinds';
import type { ArmResource } from '../model';
import type { World } from '../world';
import { compareVersions } from '../../../domain/version';

/**
 * The source of a gallery image version, every kind GalleryRP's GalleryImageVersionStorageProfile
 * defines: `source.id` (managed image, virtual machine or another gallery image version),
 * `source.virtualMachineId` (capture straight from a VM), `source.communityGalleryImageId`, or per disk
 * `osDiskImage.source.id` / `dataDiskImages[].source.id` (managed disks or snapshots). Messages follow
 * learn.microsoft.com/azure/virtual-machines/troubleshooting-shared-images.
 */

interface ResolvedSource {
  /** OS disk size, for the replication duration model and `osDiskImage.sizeInGB`. */
  sizeGb: number;
  osType?: string;
  /** What the version stores and returns as `storageProfile`. */
  storageProfile: Record<string, unknown>;
}

type Disk = { lun: number; sizeInGB: number; hostCaching: string; source?: unknown };

const ONE_SOURCE =
  'The gallery artifact version source can only be specified either directly under storageProfile or within individual OS or data disks. One and only one source type (user image, snapshot, disk, virtual machine) can be provided.';
/** GalleryDiskImageSource: a VHD blob is `uri` plus the `storageAccountId` holding it (both, together). */
const STORAGE_ACCOUNT_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i;

/** The identity of a version's source, to refuse changing it on update. */
export function sourceKey(storage: Record<string, any> | undefined): string | undefined {
  const s = storage?.source ?? {};
  const key = s.id ?? s.virtualMachineId ?? s.communityGalleryImageId ?? storage?.osDiskImage?.source?.id;
  return key === undefined ? undefined : String(key).toLowerCase();
}

export function resolveVersionSource(world: World, storage: Record<string, any>): ResolvedSource {
  const direct = storage.source ?? {};
  const directKinds = ['id', 'virtualMachineId', 'communityGalleryImageId'].filter((k) => direct[k]);
  const dataDisks = (storage.dataDiskImages ?? []) as Record<string, any>[];
  const perDisk = Boolean(storage.osDiskImage?.source) || dataDisks.some((d) => d.source);
  if (directKinds.length > 1 || (directKinds.length === 1 && perDisk) || (!directKinds.length && !perDisk))
    throw invalidParameter(ONE_SOURCE, 'properties.storageProfile');
  if (direct.virtualMachineId) return fromVirtualMachine(world, String(direct.virtualMachineId), direct);
  if (direct.communityGalleryImageId)
    return fromCommunityImage(world, String(direct.communityGalleryImageId));
  if (direct.id) {
    const source = find(world, String(direct.id), 'properties.storageProfile.source.id');
    if (source.type === 'microsoft.compute/images') return fromManagedImage(source, direct);
    if (source.type === 'microsoft.compute/virtualmachines')
      return fromVirtualMachine(world, String(direct.id), direct);
    if (source.type === 'microsoft.compute/galleries/images/versions')
      return fromGalleryVersion(world, source, { source: direct });
    throw invalidParameter(
      `The source id: ${direct.id} must either be a managed image, virtual machine or another gallery image version.`,
      'properties.storageProfile.source.id',
    );
  }
  return fromDisks(world, storage, dataDisks);
}

function find(world: World, id: string, target: string): ArmResource {
  const source = world.resource(id);
  if (!source)
    throw new ArmFailure(
      404,
      'NotFound',
      `Source ${id} is not found. Please check source exists, and is in the same region as gallery image version being created.`,
      target,
    );
  if (!isReady(source, world.now()))
    throw new ArmFailure(409, 'Conflict', `The source ${id} has not finished provisioning.`, target);
  return source;
}

function fromManagedImage(image: ArmResource, source: Record<string, unknown>): ResolvedSource {
  const storage = (image.properties.storageProfile ?? {}) as Record<string, any>;
  const sizeGb = Number(storage.osDisk?.diskSizeGB ?? image.sizeGb ?? 30);
  const dataDiskImages = ((storage.dataDisks ?? []) as Record<string, any>[]).map((d): Disk => ({
    lun: d.lun,
    sizeInGB: Number(d.diskSizeGB ?? 0),
    hostCaching: d.caching ?? 'None',
  }));
  return {
    sizeGb,
    osType: storage.osDisk?.osType,
    storageProfile: { source, osDiskImage: osDisk(sizeGb), dataDiskImages },
  };
}

function fromVirtualMachine(world: World, id: string, source: Record<string, unknown>): ResolvedSource {
  const vm = find(world, id, 'properties.storageProfile.source.virtualMachineId');
  if (vm.type !== 'microsoft.compute/virtualmachines')
    throw invalidParameter(
      `The source id: ${id} must be a virtual machine.`,
      'properties.storageProfile.source.virtualMachineId',
    );
  const storage = (vm.properties.storageProfile ?? {}) as Record<string, any>;
  if (storage.osDisk?.vhd)
    throw invalidParameter(
      `Source virtual machine ${id} must be created from Managed Disks.`,
      'properties.storageProfile.source.virtualMachineId',
    );
  const sizeGb = Number(storage.osDisk?.diskSizeGB ?? 30);
  const dataDiskImages = ((storage.dataDisks ?? []) as Record<string, any>[]).map((d): Disk => ({
    lun: d.lun,
    sizeInGB: Number(d.diskSizeGB ?? 0),
    hostCaching: 'None',
  }));
  return {
    sizeGb,
    osType: storage.osDisk?.osType,
    storageProfile: { source, osDiskImage: osDisk(sizeGb), dataDiskImages },
  };
}

/** A version copied from another: same disks; its OS type is its definition's. */
function fromGalleryVersion(
  world: World,
  version: ArmResource,
  extra: Record<string, unknown>,
): ResolvedSource {
  const storage = (version.properties.storageProfile ?? {}) as Record<string, any>;
  const sizeGb = Number(storage.osDiskImage?.sizeInGB ?? version.sizeGb ?? 30);
  const definition = world.resource(version.id.split('/').slice(0, -2).join('/'));
  const dataDiskImages = ((storage.dataDiskImages ?? []) as Record<string, any>[]).map((d): Disk => ({
    lun: d.lun,
    sizeInGB: d.sizeInGB,
    hostCaching: d.hostCaching ?? 'None',
  }));
  return {
    sizeGb,
    osType: definition?.properties.osType as string | undefined,
    storageProfile: { ...extra, osDiskImage: osDisk(sizeGb), dataDiskImages },
  };
}

/**
 * `/communityGalleries/{publicName}/images/{image}[/versions/{version}]`: the gallery that published
 * that public name (sharingProfile.communityGalleryInfo.publicNames), its image, the given or latest version.
 */
function fromCommunityImage(world: World, id: string): ResolvedSource {
  const target = 'properties.storageProfile.source.communityGalleryImageId';
  const match = /^\/?communityGalleries\/([^/]+)\/images\/([^/]+)(?:\/versions\/([^/]+))?\/?$/i.exec(id);
  if (!match)
    throw invalidParameter(
      `communityGalleryImageId '${id}' is not valid: use /communityGalleries/{publicGalleryName}/images/{imageName}[/versions/{version}].`,
      target,
    );
  const [, publicName, imageName, versionName] = match;
  const gallery = Object.values(world.state.resources).find(
    (r) =>
      r.type === 'microsoft.compute/galleries' &&
      (((r.properties.sharingProfile as any)?.communityGalleryInfo?.publicNames ?? []) as string[]).some(
        (n) => n.toLowerCase() === publicName!.toLowerCase(),
      ),
  );
  const image = gallery && world.resource(`${gallery.id}/images/${imageName}`);
  const versions = image
    ? world
        .children(image.id, 'versions')
        .filter((v) => isReady(v, world.now()))
        .filter((v) => (versionName ? v.name === versionName : true))
    : [];
  const latest = versions.sort((a, b) => compareVersions(b.name, a.name))[0];
  if (!latest)
    throw new ArmFailure(
      404,
      'NotFound',
      `Source was not found: ${id}. Please make sure the source exists.`,
      target,
    );
  return fromGalleryVersion(world, latest, { source: { communityGalleryImageId: id } });
}

function fromDisks(
  world: World,
  storage: Record<string, any>,
  dataDisks: Record<string, any>[],
): ResolvedSource {
  if (!storage.osDiskImage?.source)
    throw invalidParameter(
      'osDiskImage.source is required when the source is given per disk.',
      'properties.storageProfile.osDiskImage',
    );
  const luns = dataDisks.map((d) => d.lun);
  if (luns.some((l) => !Number.isInteger(l)))
    throw invalidParameter(
      'Every data disk image needs an integer lun.',
      'properties.storageProfile.dataDiskImages',
    );
  if (new Set(luns).size !== luns.length)
    throw invalidParameter(
      'Duplicated lun numbers have been detected in the input data disks. Lun number must be unique for each data disk.',
      'properties.storageProfile.dataDiskImages',
    );
  const ids = [storage.osDiskImage.source, ...dataDisks.map((d) => d.source)].map((s) =>
    String(s?.id ?? s?.uri ?? '').toLowerCase(),
  );
  if (new Set(ids).size !== ids.length)
    throw invalidParameter(
      'Duplicated source ids are found in the input disks. Source id should be unique for each disk.',
      'properties.storageProfile',
    );
  const disk = (source: Record<string, any> | undefined, target: string) => {
    if (source?.uri || source?.storageAccountId) return vhd(source, target);
    if (!source?.id) throw invalidParameter(`Required parameter '${target}' is missing (null).`, target);
    const found = find(world, String(source.id), target);
    if (found.type !== 'microsoft.compute/disks' && found.type !== 'microsoft.compute/snapshots')
      throw invalidParameter(`The source id: ${source.id} must be a managed disk or snapshot.`, target);
    return found;
  };
  const os = disk(storage.osDiskImage.source, 'properties.storageProfile.osDiskImage.source.id');
  const sizeGb = Number(os.properties.diskSizeGB ?? os.sizeGb ?? 30);
  const dataDiskImages = dataDisks.map((d, i): Disk => {
    const found = disk(d.source, `properties.storageProfile.dataDiskImages[${i}].source.id`);
    return {
      lun: d.lun,
      sizeInGB: Number(found.properties.diskSizeGB ?? 0),
      hostCaching: d.hostCaching ?? 'None',
      source: d.source,
    };
  });
  return {
    sizeGb,
    osType: os.properties.osType as string | undefined,
    storageProfile: {
      osDiskImage: {
        ...osDisk(sizeGb),
        hostCaching: storage.osDiskImage.hostCaching ?? 'ReadOnly',
        source: storage.osDiskImage.source,
      },
      dataDiskImages,
    },
  };
}

const osDisk = (sizeGb: number) => ({ sizeInGB: Math.round(sizeGb), hostCaching: 'ReadOnly' });

/**
 * A VHD blob source. Storage accounts are not modelled, so the blob is taken as it is named (size unknown:
 * 30 GB, as for any source without one); the pairing the spec describes is checked.
 */
function vhd(source: Record<string, any>, target: string): ArmResource {
  const field = target.replace(/\.id$/, '');
  if (!/^https:\/\/[^/]+\/.+\.vhd$/i.test(String(source.uri ?? '')))
    throw invalidParameter(`${field}.uri must be the https URI of a .vhd page blob.`, `${field}.uri`);
  if (!STORAGE_ACCOUNT_ID.test(String(source.storageAccountId ?? '')))
    throw invalidParameter(
      `${field}.storageAccountId must be the resource id of the storage account holding ${source.uri}.`,
      `${field}.storageAccountId`,
    );
  return { type: 'microsoft.storage/vhd', properties: {} } as unknown as ArmResource;
}
