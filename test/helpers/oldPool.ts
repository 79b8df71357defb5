import { FakeWorld } from './fakes';

/** The Batch account the cutover activity tests keep their old pool in. */
export const OLD_POOL_ACCOUNT = {
  id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Batch/batchAccounts/acc',
  endpoint: 'https://acc',
  region: 'westeurope',
};

/** A fake world holding one fixed-size pool of 20 dedicated nodes, the old pool a cutover shrinks. */
export async function worldWithOldPool(poolId: string): Promise<FakeWorld> {
  const w = new FakeWorld();
  await w.batch.createPool(OLD_POOL_ACCOUNT, {
    poolId,
    vmSize: 'standard_d4s_v5',
    imageVersionId: '/v/1',
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: 20,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
  });
  return w;
}
