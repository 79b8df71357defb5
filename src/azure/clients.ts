import { Agent } from 'node:https';
import { ComputeManagementClient } from '@azure/arm-compute';
import { BatchServiceClient } from '@azure/batch';
import { AzureIdentityCredentialAdapter } from '@azure/ms-rest-js';
import type { TokenCredential } from '@azure/core-auth';

/** Where to reach Azure, and which extra CA to trust (the local simulator's self-signed one). */
export interface Endpoints {
  armEndpoint: string;
  /** PEM of a CA to trust in addition to nothing else (local simulator only). */
  ca?: string;
}

const BATCH_SCOPE = 'https://batch.core.windows.net//.default';

export function computeClient(
  endpoints: Endpoints,
  credential: TokenCredential,
  subscriptionId: string,
): ComputeManagementClient {
  return new ComputeManagementClient(credential, subscriptionId, {
    endpoint: endpoints.armEndpoint,
    ...(endpoints.ca ? { tlsOptions: { ca: endpoints.ca } } : {}),
  });
}

/**
 * @azure/batch 10.x runs on ms-rest-js: given a raw TokenCredential it would ask for the ARM scope, so
 * the credential is wrapped to ask for Batch's. Gallery-image pools require Entra ID auth anyway.
 */
export function batchClient(
  accountUrl: string,
  credential: TokenCredential,
  ca?: string,
): BatchServiceClient {
  const adapter = new AzureIdentityCredentialAdapter(credential, BATCH_SCOPE);
  return new BatchServiceClient(
    adapter,
    accountUrl,
    ca ? { agentSettings: { http: new Agent({ ca }), https: new Agent({ ca }) } } : {},
  );
}
