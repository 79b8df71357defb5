import { Agent } from 'node:https';
import type * as ArmCompute from '@azure/arm-compute';
import type { ComputeManagementClient } from '@azure/arm-compute';
import type * as Batch from '@azure/batch';
import type { BatchServiceClient } from '@azure/batch';
import type * as ServiceBus from '@azure/service-bus';
import type { ServiceBusClient } from '@azure/service-bus';
import type * as MsRest from '@azure/ms-rest-js';
import type { TokenCredential } from '@azure/core-auth';

/*
 * Each SDK is required inside the function that builds its client, not at the top: importing
 * @azure/arm-compute, @azure/batch and @azure/service-bus costs more than loading the rest of the app,
 * and a Functions cold start pays for whatever the entry point imports (see docs/benchmarks.md).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */

/** Where to reach Azure, which extra CA to trust (the local simulator's), and how hard the SDKs retry. */
export interface Endpoints {
  armEndpoint: string;
  /** PEM of the local simulator's CA; never set against Azure. */
  ca?: string;
  /**
   * SDK-level retries for quick blips (honouring Retry-After). Durable RetryOptions retry whole
   * activities on top, on the orchestration clock. Default 3.
   */
  maxRetries?: number;
}

const BATCH_SCOPE = 'https://batch.core.windows.net//.default';
const RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 8000;

/** What every ARM client of the app shares: the endpoint, the retry policy, the simulator's CA. */
export function armClientOptions(endpoints: Endpoints) {
  return {
    endpoint: endpoints.armEndpoint,
    retryOptions: {
      maxRetries: endpoints.maxRetries ?? 3,
      retryDelayInMs: RETRY_DELAY_MS,
      maxRetryDelayInMs: MAX_RETRY_DELAY_MS,
    },
    ...(endpoints.ca ? { tlsOptions: { ca: endpoints.ca } } : {}),
  };
}

export function computeClient(
  endpoints: Endpoints,
  credential: TokenCredential,
  subscriptionId: string,
): ComputeManagementClient {
  const { ComputeManagementClient } = require('@azure/arm-compute') as typeof ArmCompute;
  return new ComputeManagementClient(credential, subscriptionId, armClientOptions(endpoints));
}

/**
 * @azure/batch 10.x runs on ms-rest-js: given a raw TokenCredential it would ask for the ARM scope, so
 * the credential is wrapped to ask for Batch's (gallery-image pools require Entra ID auth). Its default
 * retry waits 30 s between attempts; ours start at 1 s like the ARM client's.
 */
export function batchClient(
  accountUrl: string,
  credential: TokenCredential,
  ca?: string,
  maxRetries = 3,
): BatchServiceClient {
  const { BatchServiceClient } = require('@azure/batch') as typeof Batch;
  const {
    AzureIdentityCredentialAdapter,
    exponentialRetryPolicy,
    systemErrorRetryPolicy,
    throttlingRetryPolicy,
  } = require('@azure/ms-rest-js') as typeof MsRest;
  const adapter = new AzureIdentityCredentialAdapter(credential, BATCH_SCOPE);
  return new BatchServiceClient(adapter, accountUrl, {
    noRetryPolicy: true,
    requestPolicyFactories: (defaults) =>
      maxRetries > 0
        ? [
            exponentialRetryPolicy(maxRetries, RETRY_DELAY_MS, RETRY_DELAY_MS, MAX_RETRY_DELAY_MS),
            systemErrorRetryPolicy(maxRetries, RETRY_DELAY_MS, RETRY_DELAY_MS, MAX_RETRY_DELAY_MS),
            throttlingRetryPolicy(),
            ...defaults,
          ]
        : defaults,
    ...(ca ? { agentSettings: { http: new Agent({ ca }), https: new Agent({ ca }) } } : {}),
  });
}

/** Identity-based in Azure; a connection string only for a local emulator (config enforces which). */
export function serviceBusClient(
  connection: { fullyQualifiedNamespace: string } | { emulatorConnectionString: string },
  credential: TokenCredential,
): ServiceBusClient {
  const { ServiceBusClient } = require('@azure/service-bus') as typeof ServiceBus;
  return 'fullyQualifiedNamespace' in connection
    ? new ServiceBusClient(connection.fullyQualifiedNamespace, credential)
    : new ServiceBusClient(connection.emulatorConnectionString);
}
/* eslint-enable @typescript-eslint/no-require-imports */
