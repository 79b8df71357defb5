import type { BatchServiceClient } from '@azure/batch';
import { batchClient } from '../../src/azure/clients';
import { SimulatorCredential } from '../../src/azure/credentials';
import type { TestWorld } from './world';

/** An operator's @azure/batch client on a test world's Batch account. */
export function operatorBatch(world: TestWorld, account = 'batchrenderweu'): BatchServiceClient {
  return batchClient(
    world.simulator.batchUrl(account),
    new SimulatorCredential('operator'),
    world.simulator.caCert,
  );
}

/**
 * An old pool from a marketplace image (Batch allows it; no gallery version needed) with work on it:
 * two job schedules `{prefix}-nightly` / `{prefix}-hourly` and a job `etl-{prefix}` with one task.
 */
export async function oldPoolWithWork(batch: BatchServiceClient, poolId: string, prefix: string) {
  await batch.pool.add({
    id: poolId,
    vmSize: 'Standard_D4s_v5',
    virtualMachineConfiguration: {
      imageReference: { publisher: 'canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts' },
      nodeAgentSKUId: 'batch.node.ubuntu 22.04',
    },
    targetDedicatedNodes: 2,
  });
  for (const id of [`${prefix}-nightly`, `${prefix}-hourly`])
    await batch.jobSchedule.add({
      id,
      schedule: { recurrenceInterval: 'PT1H' },
      jobSpecification: { poolInfo: { poolId } },
    });
  await batch.job.add({
    id: `etl-${prefix}`,
    poolInfo: { poolId },
    metadata: [{ name: 'team', value: 'render' }],
  });
  await batch.task.add(`etl-${prefix}`, { id: 'load', commandLine: '/bin/sh -c ./load.sh' });
}

/** Where every job and schedule of the account points now. */
export async function whereIs(batch: BatchServiceClient) {
  const jobs = Object.fromEntries(
    (await batch.job.list()).map((j) => [j.id!, { pool: j.poolInfo?.poolId, state: j.state }]),
  );
  const schedules = Object.fromEntries(
    (await batch.jobSchedule.list()).map((s) => [s.id!, s.jobSpecification?.poolInfo?.poolId]),
  );
  return { jobs, schedules };
}

export const poolState = (batch: BatchServiceClient, id: string) =>
  batch.pool.get(id).then(
    (p) => p.state,
    (e: { statusCode?: number }) => (e.statusCode === 404 ? 'gone' : Promise.reject(e)),
  );
