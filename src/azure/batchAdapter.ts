import type { TokenCredential } from '@azure/core-auth';
import type { BatchServiceClient, BatchServiceModels } from '@azure/batch';
import type { BatchAccountRef, BatchPoolsPort, PoolSpec, PoolStatus } from '../ports/batch';
import type { SupportedImage } from '../domain/planning/nodeAgentSku';
import { mustParse, resourceName, sameResourceId } from '../domain/resourceId';
import { PermanentError } from '../domain/errors';
import { batchClient } from './clients';
import { azureCall, isSdkNotFound, toFactoryError } from './errors';

/** Maps an account to the URL to call: its endpoint in Azure, the simulator's port locally. */
export type BatchEndpointResolver = (account: BatchAccountRef) => string;

export class AzureBatchAdapter implements BatchPoolsPort {
  private readonly clients = new Map<string, BatchServiceClient>();

  constructor(
    private readonly credential: TokenCredential,
    private readonly resolveEndpoint: BatchEndpointResolver = (account) => account.endpoint,
    private readonly ca?: string,
    private readonly maxRetries = 3,
  ) {}

  private client(account: BatchAccountRef): BatchServiceClient {
    const url = this.resolveEndpoint(account);
    let client = this.clients.get(url);
    if (!client) {
      client = batchClient(url, this.credential, this.ca, this.maxRetries);
      this.clients.set(url, client);
    }
    return client;
  }

  async listSupportedImages(account: BatchAccountRef): Promise<SupportedImage[]> {
    return azureCall('Listing supported images of Batch account', account.id, async () => {
      const client = this.client(account);
      const out: SupportedImage[] = [];
      let page = await client.account.listSupportedImages();
      for (;;) {
        for (const image of page) {
          out.push({
            nodeAgentSKUId: image.nodeAgentSKUId,
            imageReference: image.imageReference,
            verificationType: image.verificationType,
            osType: image.osType,
            capabilities: image.capabilities,
            batchSupportEndOfLife: image.batchSupportEndOfLife?.toISOString(),
          });
        }
        if (!page.odatanextLink) return out;
        page = await client.account.listSupportedImagesNext(page.odatanextLink);
      }
    });
  }

  async createPool(account: BatchAccountRef, spec: PoolSpec): Promise<'created' | 'exists'> {
    const client = this.client(account);
    const target = `${resourceName(mustParse(account.id))}/pools/${spec.poolId}`;
    try {
      await client.pool.add({
        id: spec.poolId,
        vmSize: spec.vmSize,
        virtualMachineConfiguration: {
          imageReference: { virtualMachineImageId: spec.imageVersionId },
          nodeAgentSKUId: spec.nodeAgentSkuId,
        },
        targetDedicatedNodes: spec.targetDedicatedNodes,
        targetLowPriorityNodes: spec.targetLowPriorityNodes,
        resizeTimeout: spec.resizeTimeout,
        taskSlotsPerNode: spec.taskSlotsPerNode,
        startTask: spec.startTask,
        metadata: spec.metadata,
      });
      return 'created';
    } catch (error) {
      if ((error as { code?: string }).code !== 'PoolExists')
        throw toFactoryError(error, 'Creating pool', target);
    }
    // Durable runs activities at least once: the pool we created last time is success, anything else is a conflict.
    const existing = await this.getPool(account, spec.poolId);
    const sameImage =
      existing?.imageVersionId !== undefined && sameResourceId(existing.imageVersionId, spec.imageVersionId);
    const sameSize = existing?.vmSize?.toLowerCase() === spec.vmSize.toLowerCase();
    if (existing && sameImage && sameSize) return 'exists';
    throw new PermanentError(
      `Pool ${target} already exists with image ${existing?.imageVersionId ?? 'unknown'} and size ${existing?.vmSize ?? 'unknown'}; this build wants image ${spec.imageVersionId} and size ${spec.vmSize}. Choose another poolId or delete the old pool.`,
      'PoolExists',
      target,
    );
  }

  async listPools(account: BatchAccountRef): Promise<PoolStatus[]> {
    return azureCall('Listing pools of Batch account', account.id, async () => {
      const client = this.client(account);
      const out: PoolStatus[] = [];
      let page = await client.pool.list();
      for (;;) {
        out.push(...page.map((p) => toPoolStatus(p.id ?? '', p)));
        if (!page.odatanextLink) return out;
        page = await client.pool.listNext(page.odatanextLink);
      }
    });
  }

  async getPool(account: BatchAccountRef, poolId: string): Promise<PoolStatus | undefined> {
    try {
      return toPoolStatus(poolId, await this.client(account).pool.get(poolId));
    } catch (error) {
      if (isSdkNotFound(error)) return undefined;
      throw toFactoryError(error, 'Reading pool', `${resourceName(mustParse(account.id))}/pools/${poolId}`);
    }
  }

  async resizePool(
    account: BatchAccountRef,
    poolId: string,
    target: Parameters<BatchPoolsPort['resizePool']>[2],
  ): Promise<void> {
    await azureCall('Resizing pool', `${resourceName(mustParse(account.id))}/pools/${poolId}`, () =>
      this.client(account).pool.resize(poolId, {
        targetDedicatedNodes: target.dedicated,
        targetLowPriorityNodes: target.lowPriority,
        resizeTimeout: target.resizeTimeout,
        nodeDeallocationOption: target.deallocation,
      }),
    );
  }

  async deletePool(account: BatchAccountRef, poolId: string): Promise<void> {
    try {
      await this.client(account).pool.deleteMethod(poolId);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (isSdkNotFound(error) || code === 'PoolBeingDeleted') return;
      throw toFactoryError(error, 'Deleting pool', `${resourceName(mustParse(account.id))}/pools/${poolId}`);
    }
  }
}

function toPoolStatus(poolId: string, pool: BatchServiceModels.CloudPool): PoolStatus {
  return {
    poolId,
    state: pool.state === 'deleting' ? 'deleting' : 'active',
    allocationState: (pool.allocationState ?? 'steady') as PoolStatus['allocationState'],
    currentDedicatedNodes: pool.currentDedicatedNodes ?? 0,
    currentLowPriorityNodes: pool.currentLowPriorityNodes ?? 0,
    targetDedicatedNodes: pool.targetDedicatedNodes ?? 0,
    targetLowPriorityNodes: pool.targetLowPriorityNodes ?? 0,
    imageVersionId: pool.virtualMachineConfiguration?.imageReference?.virtualMachineImageId,
    vmSize: pool.vmSize,
    resizeErrors: (pool.resizeErrors ?? []).map((e) => ({
      code: e.code ?? 'Unknown',
      message: e.message ?? '',
    })),
  };
}
