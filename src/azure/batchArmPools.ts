import type { TokenCredential } from '@azure/core-auth';
import type { BatchManagementClient, Pool } from '@azure/arm-batch';
import type {
  BatchAccountRef,
  BatchPoolsPort,
  CreatePoolOutcome,
  PoolMetadataRead,
  PoolSpec,
} from '../ports/batch';
import { mustParse, resourceName } from '../domain/resourceId';
import { PermanentError, TransientError } from '../domain/errors';
import type { AccountCoreQuotas } from '../domain/cutover/capacity';
import { effectivePool } from '../domain/poolTemplate/effectivePool';
import type { Endpoints } from './clients';
import { batchManagementClient } from './batchManagementClient';
import { withApiVersion } from './apiVersionOverride';

/** The first Microsoft.Batch version that changes an existing (empty) pool's image. */
export const POOL_IMAGE_UPDATE_API_VERSION = '2024-07-01';
import { toSdkPool } from './batchArmPoolModel';
import { judgeExistingPool, requestOf } from './batchArmPoolReuse';
import { azureCall, isSdkNotFound, toFactoryError } from './errors';

/** Where a pool lives in ARM: the account id's subscription, resource group and name. */
function locate(account: BatchAccountRef) {
  const id = mustParse(account.id);
  return {
    subscriptionId: id.subscriptionId,
    resourceGroup: id.resourceGroup,
    accountName: resourceName(id),
  };
}

/**
 * Pool writes through the Batch management plane (Microsoft.Batch/batchAccounts/pools): only it can give
 * a pool a managed identity, a securityProfile, resourceTags or a node communication mode, and it is
 * governed by ARM RBAC and ARM throttling like our other writes.
 */
export class ArmBatchPools {
  private readonly clients = new Map<string, BatchManagementClient>();

  constructor(
    private readonly credential: TokenCredential,
    private readonly endpoints: Endpoints,
  ) {}

  private client(subscriptionId: string): BatchManagementClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = batchManagementClient(this.endpoints, this.credential, subscriptionId);
      this.clients.set(subscriptionId, client);
    }
    return client;
  }

  /**
   * Idempotent create: Durable runs activities at least once. A pool already there with our image and
   * size is success; a pool an earlier run of this request made that cannot serve this run is deleted
   * and answered 'replacing' (the caller waits until it is gone and creates again); another request's
   * pool is a permanent conflict (a pool's image cannot change in place). The PUT carries
   * If-None-Match: * so it can never overwrite a pool that appeared since the read.
   */
  async createPool(account: BatchAccountRef, spec: PoolSpec): Promise<CreatePoolOutcome> {
    const where = locate(account);
    const target = `${where.accountName}/pools/${spec.poolId}`;
    const existing = await this.read(account, spec.poolId);
    if (existing) return this.reuse(account, existing, spec, target);
    const body = effectivePool(spec);
    try {
      await this.client(where.subscriptionId).poolOperations.create(
        where.resourceGroup,
        where.accountName,
        spec.poolId,
        toSdkPool(body),
        { ifNoneMatch: '*' },
      );
      return 'created';
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 412)
        throw toFactoryError(error, 'Creating pool', target);
    }
    const raced = await this.read(account, spec.poolId);
    if (!raced)
      throw new PermanentError(
        `Pool ${target} refused creation (precondition failed) yet does not exist.`,
        'ConditionNotMet',
        target,
      );
    return this.reuse(account, raced, spec, target);
  }

  private async reuse(
    account: BatchAccountRef,
    existing: Pool,
    spec: PoolSpec,
    target: string,
  ): Promise<CreatePoolOutcome> {
    switch (judgeExistingPool(existing, spec)) {
      case 'adopt':
        return 'exists';
      case 'wait':
        return 'replacing';
      case 'replace':
        await this.deletePool(account, spec.poolId);
        return 'replacing';
      case 'conflict':
        throw conflict(existing, spec, target);
    }
  }

  private async read(account: BatchAccountRef, poolId: string): Promise<Pool | undefined> {
    const where = locate(account);
    try {
      return await this.client(where.subscriptionId).poolOperations.get(
        where.resourceGroup,
        where.accountName,
        poolId,
      );
    } catch (error) {
      if (isSdkNotFound(error)) return undefined;
      throw toFactoryError(error, 'Reading pool', `${where.accountName}/pools/${poolId}`);
    }
  }

  /** ARM Pool_Get: the metadata list and the etag a conditional PATCH of it must match. */
  async getPoolMetadata(account: BatchAccountRef, poolId: string): Promise<PoolMetadataRead | undefined> {
    const pool = await this.read(account, poolId);
    if (!pool) return undefined;
    return {
      metadata: (pool.metadata ?? []).map((m) => ({ name: m.name, value: m.value })),
      etag: pool.etag ?? '',
    };
  }

  /**
   * A resize is a PATCH of scaleSettings.fixedScale; on an autoscale pool it also turns autoscale off.
   * `metadata` rides in the same PATCH: ARM replaces the pool's whole list with it. With `ifMatch`, a
   * pool written since that read answers 412 (Pool_Update If-Match, BatchManagement.json): the caller
   * reads again rather than overwrite someone else's edit.
   */
  async resizePool(
    account: BatchAccountRef,
    poolId: string,
    target: Parameters<BatchPoolsPort['resizePool']>[2],
  ): Promise<void> {
    const where = locate(account);
    const name = `${where.accountName}/pools/${poolId}`;
    try {
      await this.sendResize(where, poolId, target);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 412)
        throw new TransientError(
          `Pool ${name} changed since it was read (412 on If-Match ${target.ifMatch ?? ''}); read it again.`,
          'PoolChanged',
          name,
        );
      throw toFactoryError(error, 'Resizing pool', name);
    }
  }

  private sendResize(
    where: ReturnType<typeof locate>,
    poolId: string,
    target: Parameters<BatchPoolsPort['resizePool']>[2],
  ): Promise<Pool> {
    return this.client(where.subscriptionId).poolOperations.update(
      where.resourceGroup,
      where.accountName,
      poolId,
      {
        scaleSettings: {
          fixedScale: {
            targetDedicatedNodes: target.dedicated,
            targetLowPriorityNodes: target.lowPriority,
            ...(target.resizeTimeout ? { resizeTimeout: target.resizeTimeout } : {}),
            ...(target.deallocation ? { nodeDeallocationOption: DEALLOCATION[target.deallocation] } : {}),
          },
        },
        ...(target.metadata ? { metadata: target.metadata } : {}),
      },
      target.ifMatch ? { ifMatch: target.ifMatch } : undefined,
    );
  }

  /**
   * Pool_StopResize (POST …/pools/{name}/stopResize): the way out of a resize that would otherwise run
   * for hours (a taskcompletion shrink waits for its tasks). Batch answers 409 when there is nothing to
   * stop, so only a pool read as resizing is stopped.
   */
  async stopPoolResize(account: BatchAccountRef, poolId: string): Promise<void> {
    const where = locate(account);
    await azureCall('Stopping the resize of pool', `${where.accountName}/pools/${poolId}`, () =>
      this.client(where.subscriptionId).poolOperations.stopResize(
        where.resourceGroup,
        where.accountName,
        poolId,
      ),
    );
  }

  /**
   * In place: PATCH the pool's deploymentConfiguration (image and node agent SKU) with the management API
   * version that allows it (2024-07-01); Batch accepts it only while the pool has no nodes.
   */
  async updatePoolImage(account: BatchAccountRef, poolId: string, spec: PoolSpec): Promise<void> {
    const where = locate(account);
    const { deploymentConfiguration } = toSdkPool(effectivePool(spec));
    await azureCall('Updating the image of pool', `${where.accountName}/pools/${poolId}`, () =>
      this.client(where.subscriptionId).poolOperations.update(
        where.resourceGroup,
        where.accountName,
        poolId,
        { deploymentConfiguration },
        withApiVersion(POOL_IMAGE_UPDATE_API_VERSION),
      ),
    );
  }

  /** ARM Pool Update with `metadata` only: the list is replaced, every other property kept. */
  async setPoolMetadata(
    account: BatchAccountRef,
    poolId: string,
    metadata: { name: string; value: string }[],
  ): Promise<void> {
    const where = locate(account);
    await azureCall('Updating the metadata of pool', `${where.accountName}/pools/${poolId}`, () =>
      this.client(where.subscriptionId).poolOperations.update(
        where.resourceGroup,
        where.accountName,
        poolId,
        { metadata },
      ),
    );
  }

  /** Microsoft.Batch/batchAccounts GET: the core quotas Batch enforces on the account's pools. */
  async getCoreQuotas(account: BatchAccountRef): Promise<AccountCoreQuotas | undefined> {
    const where = locate(account);
    const read = await azureCall('Reading Batch account', where.accountName, () =>
      this.client(where.subscriptionId).batchAccountOperations.get(where.resourceGroup, where.accountName),
    );
    // UserSubscription accounts report no quotas: theirs live on the subscription (Compute quotas).
    if (read.dedicatedCoreQuota === undefined) return undefined;
    return {
      dedicatedCoreQuota: read.dedicatedCoreQuota,
      lowPriorityCoreQuota: read.lowPriorityCoreQuota ?? 0,
      perFamily: Object.fromEntries(
        (read.dedicatedCoreQuotaPerVMFamily ?? []).map((f) => [f.name ?? '', f.coreQuota ?? 0]),
      ),
      perFamilyEnforced: read.dedicatedCoreQuotaPerVMFamilyEnforced ?? false,
      ...(read.poolQuota !== undefined ? { poolQuota: read.poolQuota } : {}),
    };
  }

  /** Starts the long-running delete and returns (the orchestrator does not wait for it); gone is done. */
  async deletePool(account: BatchAccountRef, poolId: string): Promise<void> {
    const where = locate(account);
    try {
      await this.client(where.subscriptionId).poolOperations.beginDelete(
        where.resourceGroup,
        where.accountName,
        poolId,
      );
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (isSdkNotFound(error) || code === 'PoolBeingDeleted') return;
      throw toFactoryError(error, 'Deleting pool', `${where.accountName}/pools/${poolId}`);
    }
  }
}

const DEALLOCATION = {
  requeue: 'Requeue',
  terminate: 'Terminate',
  taskcompletion: 'TaskCompletion',
  retaineddata: 'RetainedData',
} as const;

/** Another request's pool (or one the factory did not make) with another image or size. */
function conflict(existing: Pool, spec: PoolSpec, target: string): PermanentError {
  const imageId = existing.deploymentConfiguration?.virtualMachineConfiguration?.imageReference?.id;
  const owner = requestOf(existing.metadata);
  const whose = owner ? `It was made for request ${owner}` : 'It was not made by this factory';
  return new PermanentError(
    `Pool ${target} already exists with image ${imageId ?? 'unknown'} and size ${existing.vmSize ?? 'unknown'}; this build wants image ${spec.imageVersionId} and size ${spec.vmSize}. ${whose}, so it is left alone: choose another poolId or delete the old pool.`,
    'PoolExists',
    target,
  );
}
