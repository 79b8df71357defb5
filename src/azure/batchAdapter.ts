import type { TokenCredential } from '@azure/core-auth';
import type { BatchServiceClient, BatchServiceModels } from '@azure/batch';
import type {
  BatchAccountRef,
  BatchPoolsPort,
  CreatePoolOutcome,
  PoolListField,
  PoolListing,
  PoolMetadataRead,
  PoolSpec,
  PoolStatus,
} from '../ports/batch';
import type { SupportedImage } from '../domain/planning/nodeAgentSku';
import { mustParse, resourceName } from '../domain/resourceId';
import { ArmBatchPools } from './batchArmPools';
import { azureCall, isSdkNotFound, toFactoryError } from './errors';
import { countPoolNodes, firstNodeErrors } from './batchNodes';
import type { NodeErrorReport, PoolNodeCounts } from '../ports/batchNodes';

import { BatchDataClients, type BatchEndpointResolver } from './batchDataClients';

export type { BatchEndpointResolver } from './batchDataClients';

/**
 * Batch pools: reads (pool state, allocation, supported images) through the data plane, writes
 * (create, resize, delete) through the management plane.
 */
export class AzureBatchAdapter implements BatchPoolsPort {
  private readonly clients: BatchDataClients;
  private readonly arm: ArmBatchPools;

  constructor(
    credential: TokenCredential,
    resolveEndpoint: BatchEndpointResolver = (account) => account.endpoint,
    ca?: string,
    maxRetries = 3,
    /** Azure Resource Manager (the simulator's locally) for the management plane. */
    armEndpoint = 'https://management.azure.com',
  ) {
    this.clients = new BatchDataClients(credential, resolveEndpoint, ca, maxRetries);
    this.arm = new ArmBatchPools(credential, { armEndpoint, ca, maxRetries });
  }

  private client(account: BatchAccountRef): BatchServiceClient {
    return this.clients.of(account);
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

  /** Pool writes go through the management plane (see ArmBatchPools). */
  createPool(account: BatchAccountRef, spec: PoolSpec): Promise<CreatePoolOutcome> {
    return this.arm.createPool(account, spec);
  }

  async listPools<F extends PoolListField = PoolListField>(
    account: BatchAccountRef,
    fields?: readonly F[],
  ): Promise<PoolListing<F>[]> {
    return azureCall('Listing pools of Batch account', account.id, async () => {
      const client = this.client(account);
      const out: PoolListing<F>[] = [];
      const select = fields && selectClause(fields);
      let page = await client.pool.list(select ? { poolListOptions: { select } } : undefined);
      for (;;) {
        for (const pool of page) {
          const status = toPoolStatus(pool.id ?? '', pool);
          out.push(fields ? onlyFields(status, fields) : status);
        }
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

  countNodes(account: BatchAccountRef, poolIds: string[]): Promise<PoolNodeCounts[]> {
    return azureCall('Counting nodes of pools in Batch account', account.id, () =>
      countPoolNodes(this.client(account), poolIds),
    );
  }

  firstNodeErrors(
    account: BatchAccountRef,
    poolId: string,
    states: readonly string[],
    max: number,
  ): Promise<NodeErrorReport[]> {
    return azureCall('Listing failing nodes of pool', `${account.id}/pools/${poolId}`, async () => {
      try {
        return await firstNodeErrors(this.client(account), poolId, states, max);
      } catch (error) {
        // A pool already gone has no nodes to report.
        if (isSdkNotFound(error)) return [];
        throw error;
      }
    });
  }

  getPoolMetadata(account: BatchAccountRef, poolId: string): Promise<PoolMetadataRead | undefined> {
    return this.arm.getPoolMetadata(account, poolId);
  }

  resizePool(
    account: BatchAccountRef,
    poolId: string,
    target: Parameters<BatchPoolsPort['resizePool']>[2],
  ): Promise<void> {
    return this.arm.resizePool(account, poolId, target);
  }

  stopPoolResize(account: BatchAccountRef, poolId: string): Promise<void> {
    return this.arm.stopPoolResize(account, poolId);
  }

  deletePool(account: BatchAccountRef, poolId: string): Promise<void> {
    return this.arm.deletePool(account, poolId);
  }

  setPoolMetadata(
    account: BatchAccountRef,
    poolId: string,
    metadata: { name: string; value: string }[],
  ): Promise<void> {
    return this.arm.setPoolMetadata(account, poolId, metadata);
  }

  updatePoolImage(account: BatchAccountRef, poolId: string, spec: PoolSpec): Promise<void> {
    return this.arm.updatePoolImage(account, poolId, spec);
  }

  getCoreQuotas(account: BatchAccountRef) {
    return this.arm.getCoreQuotas(account);
  }
}

/** The Batch pool properties each PoolStatus field is read from (top-level: what `$select` takes). */
const BATCH_PROPERTIES: Record<PoolListField, string[]> = {
  state: ['state'],
  allocationState: ['allocationState'],
  currentDedicatedNodes: ['currentDedicatedNodes'],
  currentLowPriorityNodes: ['currentLowPriorityNodes'],
  targetDedicatedNodes: ['targetDedicatedNodes'],
  targetLowPriorityNodes: ['targetLowPriorityNodes'],
  imageVersionId: ['virtualMachineConfiguration'],
  vmSize: ['vmSize'],
  resizeErrors: ['resizeErrors'],
  autoScale: ['enableAutoScale', 'autoScaleRun'],
  autoScaleEnabled: ['enableAutoScale'],
  metadata: ['metadata'],
};

/**
 * `$select` for the fields asked for, plus the id: Batch then answers those properties alone
 * (https://learn.microsoft.com/azure/batch/batch-efficient-list-queries).
 */
function selectClause(fields: readonly PoolListField[]): string {
  return [...new Set(['id', ...fields.flatMap((f) => BATCH_PROPERTIES[f])])].join(',');
}

/** The id and `fields` of a pool read with `$select`: the defaults toPoolStatus fills in for the rest stay out. */
function onlyFields<F extends PoolListField>(status: PoolStatus, fields: readonly F[]): PoolListing<F> {
  const out: Record<string, unknown> = { poolId: status.poolId };
  for (const field of fields) if (status[field] !== undefined) out[field] = status[field];
  return out as PoolListing<F>;
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
    ...(pool.enableAutoScale ? { autoScale: autoScaleOf(pool.autoScaleRun) } : {}),
    ...(pool.enableAutoScale !== undefined ? { autoScaleEnabled: pool.enableAutoScale } : {}),
    ...(pool.metadata ? { metadata: pool.metadata.map((m) => ({ name: m.name, value: m.value })) } : {}),
  };
}

/** The formula's last evaluation: when, and its error if it failed. */
function autoScaleOf(run: BatchServiceModels.AutoScaleRun | undefined): PoolStatus['autoScale'] {
  if (!run) return {};
  return {
    lastRunAt: run.timestamp.toISOString(),
    ...(run.error ? { error: { code: run.error.code ?? 'Unknown', message: run.error.message ?? '' } } : {}),
  };
}
