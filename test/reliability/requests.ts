import { exampleInput } from '../helpers/requests';

/** A one-region request with its own ids, so runs in one world never collide. */
export function smallRequest(
  n: number | string,
  edit?: (i: Record<string, any>) => void,
): Record<string, any> {
  const input = exampleInput() as Record<string, any>;
  input.requestId = `rel-${n}`;
  input.image.definition = 'rel-image';
  input.image.version = `5.0.${String(n).replace(/\D/g, '') || '0'}`;
  input.pools[0].poolId = `rel-pool-${n}`;
  delete input.pools[0].replaces;
  input.retention = { keepVersions: 100 };
  edit?.(input);
  return input;
}

export const GALLERY =
  '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-hpc-images/providers/Microsoft.Compute/galleries/galHpcImages';
/** The scenario's East US Batch account: a second account beside the example request's West Europe one. */
export const EUS = {
  id: '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-batch-eus/providers/Microsoft.Batch/batchAccounts/batchrendereus',
  endpoint: 'https://batchrendereus.eastus.batch.azure.com',
  region: 'eastus',
};
export const definitionId = (name: string) => `${GALLERY}/images/${name}`;

/** A small request building `version` of its own definition (a gallery's definitions need distinct identifiers). */
export function definitionRequest(
  n: string,
  definition: string,
  version: string,
  edit?: (i: Record<string, any>) => void,
): Record<string, any> {
  return smallRequest(n, (input) => {
    input.image.definition = definition;
    input.image.version = version;
    input.image.identifier = { publisher: 'contoso', offer: 'ledger', sku: definition };
    edit?.(input);
  });
}
