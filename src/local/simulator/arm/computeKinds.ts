import { ArmFailure, invalidParameter } from './armErrors';
import { isReady, newResource, normalizeLocation, type KindContext, type ResourceKind } from './kinds';
import { TIMING } from '../timing';
import { query } from '../http';
import type { ArmResource } from '../model';
import type { World } from '../world';
import { backgroundCopyPercent, originDiskSku, snapshotBackgroundCopy } from './snapshotRules';
import { refuseTrustedLaunchManagedImage } from './securityTypeRules';

/** Virtual machines are seeded by scenarios: the pipeline only reads them. */
export const virtualMachineKind: ResourceKind = {
  type: 'Microsoft.Compute/virtualMachines',
  readOnly: true,
  render(resource, _world, req) {
    const expand = query(req, '$expand');
    return expand?.toLowerCase() === 'instanceview' ? { instanceView: resource.hidden?.instanceView } : {};
  },
};

export const diskKind: ResourceKind = { type: 'Microsoft.Compute/disks', readOnly: true };

function requireSource(world: World, id: string | undefined, field: string, types: string[]): ArmResource {
  if (!id) throw invalidParameter(`Required parameter '${field}' is missing (null).`, field);
  const source = world.resource(id);
  if (!source || !types.includes(source.type)) {
    throw new ArmFailure(404, 'NotFound', `Resource ${id} referenced by '${field}' was not found.`, field);
  }
  if (!isReady(source, world.now())) {
    throw new ArmFailure(
      409,
      'Conflict',
      `Resource ${id} referenced by '${field}' is not ready (provisioning has not finished).`,
      field,
    );
  }
  return source;
}

export const snapshotKind: ResourceKind = {
  type: 'Microsoft.Compute/snapshots',
  createdStatus: 202,
  deleteMs: TIMING.deleteMs,
  put(ctx: KindContext) {
    const name = ctx.path.names.at(-1) ?? '';
    // Compute's naming rule for disks and snapshots (resource-name-rules#microsoftcompute).
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/.test(name))
      throw new ArmFailure(
        400,
        'InvalidResourceName',
        `Resource name ${name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
      );
    if (!ctx.body.location)
      throw new ArmFailure(400, 'LocationRequired', 'The location property is required for this definition.');
    const creation = ctx.body.properties?.creationData ?? {};
    if (ctx.existing) {
      const before = ctx.existing.properties.creationData as Record<string, unknown>;
      if (
        normalize(String(before.sourceResourceId ?? '')) !==
        normalize(String(creation.sourceResourceId ?? ''))
      ) {
        throw new ArmFailure(
          409,
          'PropertyChangeNotAllowed',
          "Changing property 'creationData.sourceResourceId' is not allowed.",
          'creationData.sourceResourceId',
        );
      }
      return { ...ctx.existing, tags: ctx.body.tags ?? ctx.existing.tags };
    }
    if (creation.createOption !== 'Copy' && creation.createOption !== 'CopyStart') {
      throw invalidParameter(
        `createOption '${creation.createOption}' is not supported here; use Copy with sourceResourceId.`,
        'creationData.createOption',
      );
    }
    const source = requireSource(ctx.world, creation.sourceResourceId, 'creationData.sourceResourceId', [
      'microsoft.compute/disks',
      'microsoft.compute/snapshots',
    ]);
    const backgroundCopy = snapshotBackgroundCopy(source, ctx.body, ctx.body.location, ctx.world.now());
    const sizeGb = Number(source.properties.diskSizeGB ?? 30);
    const properties: Record<string, unknown> = {
      ...(ctx.body.properties ?? {}),
      creationData: { ...creation, sourceUniqueId: source.hidden?.uniqueId ?? ctx.world.nextId('00000000') },
      osType: source.properties.osType,
      hyperVGeneration: source.properties.hyperVGeneration,
      diskSizeGB: sizeGb,
      diskSizeBytes: sizeGb * 1024 ** 3,
      encryption: source.properties.encryption ?? { type: 'EncryptionAtRestWithPlatformKey' },
      ...(source.properties.encryptionSettingsCollection
        ? { encryptionSettingsCollection: source.properties.encryptionSettingsCollection }
        : {}),
      // DiskRP carries the disk's security type and architecture to its snapshots (and their copies).
      ...(source.properties.securityProfile ? { securityProfile: source.properties.securityProfile } : {}),
      ...(source.properties.supportedCapabilities
        ? { supportedCapabilities: source.properties.supportedCapabilities }
        : {}),
      incremental: Boolean(ctx.body.properties?.incremental),
      timeCreated: new Date(ctx.world.now()).toISOString(),
      diskState: 'Unattached',
      uniqueId: ctx.world.nextId('5a1b0000'),
    };
    const resource = newResource(ctx, this.type, properties, TIMING.snapshotMs(sizeGb));
    resource.sizeGb = sizeGb;
    resource.extra = { sku: ctx.body.sku ?? { name: 'Standard_LRS', tier: 'Standard' } };
    const originSku = originDiskSku(source);
    if (backgroundCopy || originSku)
      resource.hidden = {
        ...(resource.hidden ?? {}),
        ...(backgroundCopy ? { backgroundCopy } : {}),
        ...(originSku ? { originDiskSku: originSku } : {}),
      };
    return resource;
  },
  render(resource, world) {
    // Only snapshots with a background copy report it; others are usable as soon as they succeed.
    const completionPercent = backgroundCopyPercent(resource, world.now());
    return completionPercent === undefined ? {} : { completionPercent };
  },
};

export const managedImageKind: ResourceKind = {
  type: 'Microsoft.Compute/images',
  deleteMs: TIMING.deleteMs,
  put(ctx: KindContext) {
    if (!ctx.body.location)
      throw new ArmFailure(400, 'LocationRequired', 'The location property is required for this definition.');
    if (ctx.existing) return { ...ctx.existing, tags: ctx.body.tags ?? ctx.existing.tags };
    const storage = ctx.body.properties?.storageProfile ?? {};
    const osDisk = storage.osDisk ?? {};
    if (!osDisk.osType)
      throw invalidParameter(
        "Required parameter 'osDisk.osType' is missing (null).",
        'storageProfile.osDisk.osType',
      );
    if (!osDisk.osState)
      throw invalidParameter(
        "Required parameter 'osDisk.osState' is missing (null).",
        'storageProfile.osDisk.osState',
      );
    const sourceTypes = ['microsoft.compute/snapshots', 'microsoft.compute/disks'];
    const os = requireSource(
      ctx.world,
      osDisk.snapshot?.id ?? osDisk.managedDisk?.id,
      'storageProfile.osDisk.snapshot.id',
      sourceTypes,
    );
    refuseTrustedLaunchManagedImage(os);
    const dataDisks = (storage.dataDisks ?? []) as Record<string, any>[];
    const data = dataDisks.map((d, i) =>
      requireSource(
        ctx.world,
        d.snapshot?.id ?? d.managedDisk?.id,
        `storageProfile.dataDisks[${i}].snapshot.id`,
        sourceTypes,
      ),
    );
    const sizeGb = [os, ...data].reduce((sum, r) => sum + Number(r.properties.diskSizeGB ?? 30), 0);
    const properties = {
      ...(ctx.body.properties ?? {}),
      storageProfile: {
        ...storage,
        osDisk: { caching: 'ReadWrite', ...osDisk, diskSizeGB: os.properties.diskSizeGB },
        dataDisks: dataDisks.map((d, i) => ({
          caching: 'None',
          ...d,
          diskSizeGB: data[i]!.properties.diskSizeGB,
        })),
        zoneResilient: Boolean(storage.zoneResilient),
      },
      hyperVGeneration: ctx.body.properties?.hyperVGeneration ?? os.properties.hyperVGeneration ?? 'V1',
    };
    const resource = newResource(ctx, this.type, properties, TIMING.managedImageMs);
    resource.sizeGb = sizeGb;
    return resource;
  },
};

function normalize(id: string): string {
  return `/${id.replace(/^\/+/, '')}`.toLowerCase();
}

export { normalizeLocation };
