import { factoryConfigSchema, type FactoryConfig } from '../../src/domain/factoryConfig';
import { SUB_A } from './requests';

/** The gallery, definition and Batch account the trigger tests watch. */
export const GALLERY = `/subscriptions/${SUB_A}/resourceGroups/rg-hpc-images/providers/Microsoft.Compute/galleries/galHpcImages`;
export const DEFINITION = `${GALLERY}/images/ubuntu2204-render`;
export const ACCOUNT = {
  id: `/subscriptions/${SUB_A}/resourceGroups/rg-batch-weu/providers/Microsoft.Batch/batchAccounts/batchrenderweu`,
  endpoint: 'https://batchrenderweu.westeurope.batch.azure.com',
  region: 'westeurope',
};

/** A factory config watching ubuntu2204-render with one 3000-node follower pool, and the refresh recipe given. */
export function watchingFactory(refresh?: Record<string, unknown>): FactoryConfig {
  return factoryConfigSchema.parse({
    images: [
      {
        image: {
          galleryId: GALLERY,
          definition: 'ubuntu2204-render',
          osType: 'Linux',
          identifier: { publisher: 'contoso', offer: 'render', sku: '2204' },
        },
        followers: [
          {
            account: ACCOUNT,
            poolIdTemplate: 'render-{version}',
            vmSize: 'Standard_D4s_v5',
            targetDedicatedNodes: 3000,
            nodeAgentSkuId: 'batch.node.ubuntu 22.04',
          },
        ],
        ...(refresh ? { refresh } : {}),
      },
    ],
  });
}
