import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRequestSchema, type BuildRequest, type BuildRequestInput } from '../../src/domain/buildRequest';

export const ROOT = join(__dirname, '..', '..');
/** Official Azure REST examples, vendored with their sources in test/fixtures/azure-vectors/MANIFEST.md. */
export const VECTORS = join(ROOT, 'test', 'fixtures', 'azure-vectors');

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** A fresh deep copy of an example request as sent (before defaults). */
export function exampleInput(name = 'one-region-small'): BuildRequestInput & Record<string, unknown> {
  return readJson(join(ROOT, 'examples', `${name}.json`));
}

/** An example request after validation (defaults applied), optionally edited first. */
export function exampleRequest(
  name = 'one-region-small',
  edit?: (input: ReturnType<typeof exampleInput>) => void,
): BuildRequest {
  const input = exampleInput(name);
  edit?.(input);
  return buildRequestSchema.parse(input);
}

export const SUB_A = '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f';
export const SUB_B = '11111111-2222-4333-8444-555555555555';

export function poolInput(overrides: Record<string, unknown> = {}) {
  return {
    account: {
      id: `/subscriptions/${SUB_A}/resourceGroups/rg-batch-weu/providers/Microsoft.Batch/batchAccounts/batchrenderweu`,
      endpoint: 'https://batchrenderweu.westeurope.batch.azure.com',
      region: 'westeurope',
    },
    poolId: 'pool-a',
    vmSize: 'Standard_D4s_v5',
    targetDedicatedNodes: 10,
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    ...overrides,
  };
}
