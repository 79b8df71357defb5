import type * as ArmBatch from '@azure/arm-batch';
import type { BatchManagementClient } from '@azure/arm-batch';
import type { TokenCredential } from '@azure/core-auth';
import { armClientOptions, type Endpoints } from './clients';
import { apiVersionOverridePolicy } from './apiVersionOverride';

/**
 * The Batch management plane (Microsoft.Batch, api-version 2023-11-01 in @azure/arm-batch 9.1.0): an
 * ARM client like the Compute one, so ARM RBAC, throttling (Retry-After) and the simulator's CA apply
 * the same way. One operation (a pool's image update) asks for a newer version: see apiVersionOverride.ts.
 * Required lazily: the SDK is only loaded when a pool is written.
 */
export function batchManagementClient(
  endpoints: Endpoints,
  credential: TokenCredential,
  subscriptionId: string,
): BatchManagementClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (cold start)
  const { BatchManagementClient } = require('@azure/arm-batch') as typeof ArmBatch;
  const client = new BatchManagementClient(credential, subscriptionId, armClientOptions(endpoints));
  client.pipeline.addPolicy(apiVersionOverridePolicy);
  return client;
}
