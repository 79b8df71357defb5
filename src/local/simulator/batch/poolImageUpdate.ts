import type { BatchAccountState, BatchPoolState } from '../model';
import type { World } from '../world';
import { BatchFailure } from './batchErrors';
import { snapshotPool } from './allocation';
import { checkImage } from './poolCreation';
import { armToDataPlane, dataPlaneToArm } from './armPoolView';

/**
 * Changing an existing pool's image through the management plane (Pool_Update / Pool_Create on an
 * existing pool). https://learn.microsoft.com/azure/batch/batch-pool-update-properties: only Batch
 * management API 2024-07-01 or later updates such properties, and every property but
 * applicationPackages, certificates, metadata, scaleSettings and startTask only while the pool has zero
 * nodes. Older versions answer PropertyCannotBeUpdated (as reported in Azure/Batch#85 for
 * deploymentConfiguration), with the property named in the details.
 */
export const IMAGE_UPDATE_MIN_API_VERSION = '2024-07-01';

type Json = Record<string, any>;

function imageOf(vmc: Json | undefined): string {
  return JSON.stringify([vmc?.imageReference ?? null, String(vmc?.nodeAgentSkuId ?? '').toLowerCase()]);
}

function cannotUpdate(reason: string): BatchFailure {
  return new BatchFailure(
    400,
    'PropertyCannotBeUpdated',
    'A property that cannot be updated was specified as part of the request.',
    [
      { key: 'Reason', value: reason },
      { key: 'PropertyName', value: 'deploymentConfiguration' },
      { key: 'PropertyPath', value: 'properties.deploymentConfiguration' },
    ],
  );
}

/** Refuses an image change Batch would refuse; checks the new image as creation does. */
export function checkImageUpdate(
  world: World,
  account: BatchAccountState,
  pool: BatchPoolState,
  properties: Json,
  apiVersion: string,
): void {
  const wanted = properties.deploymentConfiguration?.virtualMachineConfiguration as Json | undefined;
  if (!wanted) return;
  const current = (pool.arm?.properties ?? dataPlaneToArm(pool.spec)).deploymentConfiguration
    ?.virtualMachineConfiguration as Json | undefined;
  if (imageOf(wanted) === imageOf(current)) return;
  if (apiVersion < IMAGE_UPDATE_MIN_API_VERSION)
    throw cannotUpdate(
      `deploymentConfiguration can be updated only with api-version ${IMAGE_UPDATE_MIN_API_VERSION} or later (this request: ${apiVersion}).`,
    );
  const now = snapshotPool(pool, world.now());
  const nodes =
    now.currentDedicatedNodes +
    now.currentLowPriorityNodes +
    pool.resize.toDedicated +
    pool.resize.toLowPriority;
  if (nodes > 0 || now.allocationState !== 'steady')
    throw cannotUpdate(
      'deploymentConfiguration can be updated only when the pool has no nodes (resize it to 0 first).',
    );
  const view = armToDataPlane(pool.id, { deploymentConfiguration: { virtualMachineConfiguration: wanted } });
  checkImage(world, account, view.virtualMachineConfiguration as Json);
}
