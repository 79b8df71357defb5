import { FakeBatchJobs } from './fakeBatchJobs';
import type {
  BatchAccountRef,
  BatchPoolsPort,
  ComputePort,
  EventPublisher,
  GalleryPort,
  PoolSpec,
  PoolStatus,
  ImageDefinitionIdentity,
  ProvisioningState,
  SnapshotInspection,
  TargetRegionSpec,
  VersionReplication,
  VersionSummary,
  VmInspection,
} from '../../src/ports';
import type { Services } from '../../src/activities/services';
import type { CloudEvent } from '../../src/domain/events';
import type { SupportedImage } from '../../src/domain/planning/nodeAgentSku';
import { NotFoundError } from '../../src/domain/errors';
import { readJson, ROOT } from './requests';
import { join } from 'node:path';
import type { AccountCoreQuotas } from '../../src/domain/cutover/capacity';

/** The demo build VM as the Compute adapter reports it: generalized Linux, one data disk. */
export function demoVm(id: string, dataDisks = true): VmInspection {
  return {
    id,
    location: 'westeurope',
    facts: {
      osType: 'Linux',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      managedDisks: true,
      osDiskEncrypted: false,
      extensions: [],
    },
    osDisk: { id: `${id}-osdisk`, sizeGb: 64 },
    dataDisks: dataDisks ? [{ lun: 0, id: `${id}-data0`, sizeGb: 128 }] : [],
  };
}

/** In-memory ports for unit tests of activities and triggers. Every call is recorded. */
export class FakeWorld {
  calls: string[] = [];
  vms = new Map<string, VmInspection>();
  snapshots = new Map<string, SnapshotInspection>();
  /** Tags of the snapshots the pipeline created, by lower-cased id. */
  snapshotTags = new Map<string, Record<string, string>>();
  provisioning = new Map<string, ProvisioningState['state']>();
  galleries = new Map<string, string>();
  versions = new Map<
    string,
    VersionSummary & { tags: Record<string, string>; regions: VersionReplication['regions'] }
  >();
  pools = new Map<string, PoolStatus & { accountId: string }>();
  supportedImages: SupportedImage[] = readJson<{ value: SupportedImage[] }>(
    join(ROOT, 'src/local/simulator/scenarios/supported-images.json'),
  ).value;
  /** Microsoft.Batch registration the provider read answers; an Error is thrown instead. */
  providerState: string | Error = 'Registered';
  /** Managed image id (lower-case) → region. */
  managedImages = new Map<string, string>();
  /** Gallery id (lower-case) → its image definitions. */
  definitions = new Map<string, ImageDefinitionIdentity[]>();
  published: CloudEvent[] = [];
  private fixedNow = new Date('2026-11-28T00:00:00Z');
  /** Follows a (virtual) clock when one is given, else a fixed instant tests can move. */
  clock?: () => number;

  get now(): Date {
    return this.clock ? new Date(this.clock()) : this.fixedNow;
  }

  set now(value: Date) {
    this.fixedNow = value;
  }

  services(): Services {
    return {
      compute: this.compute,
      gallery: this.gallery,
      batch: this.batch,
      batchJobs: this.batchJobs,
      events: this.events,
      clock: { now: () => this.now },
    };
  }

  /** Every call, with the simulated time it was made at. */
  timeline: { at: number; call: string }[] = [];

  private record(call: string) {
    this.calls.push(call);
    this.timeline.push({ at: this.now.getTime(), call });
  }

  compute: ComputePort = {
    inspectVirtualMachine: async (id) => {
      this.record(`inspectVirtualMachine ${id}`);
      const vm = this.vms.get(id.toLowerCase());
      if (!vm) throw new NotFoundError(`VM ${id} not found`, 'ResourceNotFound', id);
      return vm;
    },
    inspectSnapshot: async (id) => {
      this.record(`inspectSnapshot ${id}`);
      const s = this.snapshots.get(id.toLowerCase());
      if (!s) throw new NotFoundError(`snapshot ${id} not found`, 'ResourceNotFound', id);
      return s;
    },
    beginSnapshot: async (spec) => {
      this.record(`beginSnapshot ${spec.id}`);
      this.provisioning.set(spec.id.toLowerCase(), 'Creating');
      this.snapshotTags.set(spec.id.toLowerCase(), { ...spec.tags });
      return { id: spec.id, state: 'Creating' };
    },
    beginSnapshotCopy: async (spec) => {
      this.record(`beginSnapshotCopy ${spec.id} ${spec.location} from ${spec.sourceSnapshotId}`);
      this.provisioning.set(spec.id.toLowerCase(), 'Creating');
      return { id: spec.id, state: 'Creating' };
    },
    inspectManagedImage: async (id) => {
      this.record(`inspectManagedImage ${id}`);
      const location = this.managedImages.get(id.toLowerCase());
      return location ? { id, location, state: 'Succeeded' } : { id, state: 'NotFound' };
    },
    listImageDefinitions: async (galleryId) => {
      this.record(`listImageDefinitions ${galleryId}`);
      return this.definitions.get(galleryId.toLowerCase()) ?? [];
    },
    getProvisioning: async (id) => ({ id, state: this.provisioning.get(id.toLowerCase()) ?? 'NotFound' }),
    listSnapshots: async (groupId) => {
      this.record(`listSnapshots ${groupId}`);
      const prefix = `${groupId.toLowerCase()}/providers/microsoft.compute/snapshots/`;
      return [...this.snapshotTags]
        .filter(([id]) => id.startsWith(prefix) && this.provisioning.has(id))
        .map(([id, tags]) => ({ id, tags }));
    },
    beginDelete: async (id) => {
      this.record(`beginDelete ${id}`);
      this.provisioning.delete(id.toLowerCase());
    },
    batchProviderState: async (sub) => {
      this.record(`batchProviderState ${sub}`);
      if (this.providerState instanceof Error) throw this.providerState;
      return this.providerState;
    },
  };

  gallery: GalleryPort = {
    getGalleryLocation: async (id) => this.galleries.get(id.toLowerCase()),
    ensureGallery: async (id, location) => {
      this.record(`ensureGallery ${id}`);
      this.galleries.set(id.toLowerCase(), location);
      return { id, state: 'Succeeded' };
    },
    ensureImageDefinition: async (spec) => {
      this.record(`ensureImageDefinition ${spec.id}`);
      return { id: spec.id, state: 'Succeeded' };
    },
    beginImageVersion: async (spec) => {
      this.record(`beginImageVersion ${spec.id}`);
      this.versions.set(spec.id.toLowerCase(), {
        id: spec.id,
        name: spec.id.split('/').at(-1)!,
        publishedDate: this.now.toISOString(),
        excludeFromLatest: spec.excludeFromLatest,
        provisioningState: 'Creating',
        targetRegions: spec.targetRegions,
        tags: spec.tags ?? {},
        regions: spec.targetRegions.map((r) => ({ region: r.name, state: 'Replicating', progress: 0 })),
      });
      return { id: spec.id, state: 'Creating' };
    },
    getReplication: async (id) => {
      const v = this.versions.get(id.toLowerCase());
      if (!v) return { id, provisioningState: 'NotFound', regions: [], targetRegions: [], tags: {} };
      return {
        id,
        provisioningState: v.provisioningState,
        regions: v.regions,
        targetRegions: v.targetRegions,
        tags: v.tags,
      };
    },
    updateTargetRegions: async (id, regions: TargetRegionSpec[]) => {
      this.record(`updateTargetRegions ${id} ${regions.map((r) => `${r.name}:${r.replicaCount}`).join(',')}`);
      const v = this.versions.get(id.toLowerCase());
      if (v) v.targetRegions = regions;
    },
    listVersions: async (definitionId) =>
      [...this.versions.values()]
        .filter((v) => v.id.toLowerCase().startsWith(`${definitionId.toLowerCase()}/versions/`))
        .map(({ regions: _r, ...summary }) => summary),
    updateVersionPublishing: async (id, changes) => {
      this.record(`updateVersionPublishing ${id.split('/').at(-1)} ${JSON.stringify(changes)}`);
      const v = this.versions.get(id.toLowerCase());
      if (v) Object.assign(v, changes);
    },
    beginDeleteVersion: async (id) => {
      this.record(`beginDeleteVersion ${id.split('/').at(-1)}`);
      this.versions.delete(id.toLowerCase());
    },
  };

  coreQuotas: AccountCoreQuotas | undefined = undefined;

  batch: BatchPoolsPort = {
    listSupportedImages: async (account: BatchAccountRef) => {
      this.record(`listSupportedImages ${account.id.split('/').at(-1)}`);
      return this.supportedImages;
    },
    createPool: async (account: BatchAccountRef, spec: PoolSpec) => {
      this.record(`createPool ${spec.poolId}`);
      const key = `${account.id}|${spec.poolId}`.toLowerCase();
      if (this.pools.has(key)) return 'exists';
      this.pools.set(key, {
        accountId: account.id,
        poolId: spec.poolId,
        state: 'active',
        allocationState: 'resizing',
        currentDedicatedNodes: 0,
        currentLowPriorityNodes: 0,
        targetDedicatedNodes: spec.targetDedicatedNodes,
        targetLowPriorityNodes: spec.targetLowPriorityNodes,
        imageVersionId: spec.imageVersionId,
        vmSize: spec.vmSize,
        resizeErrors: [],
      });
      return 'created';
    },
    getPool: async (account, poolId) => this.pools.get(`${account.id}|${poolId}`.toLowerCase()),
    listPools: async (account) =>
      [...this.pools.values()].filter((p) => p.accountId.toLowerCase() === account.id.toLowerCase()),
    // No other writer in the fake: the etag is the metadata itself.
    getPoolMetadata: async (account, poolId) => {
      const pool = this.pools.get(`${account.id}|${poolId}`.toLowerCase());
      return pool && { metadata: pool.metadata ?? [], etag: JSON.stringify(pool.metadata ?? []) };
    },
    resizePool: async (account, poolId, target) => {
      this.record(
        `resizePool ${poolId} ${target.dedicated}/${target.lowPriority} ${target.deallocation ?? ''}`.trim(),
      );
      const pool = this.pools.get(`${account.id}|${poolId}`.toLowerCase());
      if (pool)
        Object.assign(pool, {
          targetDedicatedNodes: target.dedicated,
          targetLowPriorityNodes: target.lowPriority,
          allocationState: 'resizing',
          ...(target.metadata ? { metadata: target.metadata } : {}),
        });
    },
    setPoolMetadata: async (account, poolId, metadata) => {
      this.record(`setPoolMetadata ${poolId} ${metadata.map((m) => m.name).join(',')}`);
      const pool = this.pools.get(`${account.id}|${poolId}`.toLowerCase());
      if (pool) pool.metadata = metadata;
    },
    // A stopped fake pool keeps what it has: steady at its current nodes, as Batch leaves it.
    stopPoolResize: async (account, poolId) => {
      this.record(`stopPoolResize ${poolId}`);
      const pool = this.pools.get(`${account.id}|${poolId}`.toLowerCase());
      if (pool?.allocationState === 'resizing') pool.allocationState = 'stopping';
    },
    deletePool: async (account, poolId) => {
      this.record(`deletePool ${poolId}`);
      this.pools.delete(`${account.id}|${poolId}`.toLowerCase());
    },
    updatePoolImage: async (account, poolId, spec) => {
      this.record(`updatePoolImage ${poolId} ${spec.imageVersionId.split('/').at(-1)}`);
      const pool = this.pools.get(`${account.id}|${poolId}`.toLowerCase());
      if (pool) pool.imageVersionId = spec.imageVersionId;
    },
    // Not reported unless a test sets them (as for a UserSubscription account): capacity goes unchecked.
    getCoreQuotas: async () => this.coreQuotas,
    // Every node of a fake pool is idle: the health gate passes unless a test says otherwise.
    countNodes: async (account, poolIds) =>
      poolIds.flatMap((poolId) => {
        const pool = this.pools.get(`${account.id}|${poolId}`.toLowerCase());
        if (!pool) return [];
        const total = pool.currentDedicatedNodes + pool.currentLowPriorityNodes;
        const counts: Record<string, number> = total ? { idle: total } : {};
        return [{ poolId, counts, total }];
      }),
    firstNodeErrors: async () => [],
  };

  batchJobs = new FakeBatchJobs();

  events: EventPublisher = {
    publish: async (events) => {
      this.published.push(...events);
    },
  };
}
