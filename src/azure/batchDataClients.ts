import type { TokenCredential } from '@azure/core-auth';
import type { BatchServiceClient } from '@azure/batch';
import type { BatchAccountRef } from '../ports/batch';
import { batchClient } from './clients';

/** Maps an account to the URL to call: its endpoint in Azure, the simulator's port locally. */
export type BatchEndpointResolver = (account: BatchAccountRef) => string;

/**
 * The Batch data-plane clients of the adapters (pools, jobs): one per account URL, made on first use and
 * kept, so each account's client keeps its pipeline (token cache, retry policy) across calls.
 */
export class BatchDataClients {
  private readonly clients = new Map<string, BatchServiceClient>();

  constructor(
    private readonly credential: TokenCredential,
    private readonly resolveEndpoint: BatchEndpointResolver,
    private readonly ca: string | undefined,
    private readonly maxRetries: number,
  ) {}

  of(account: BatchAccountRef): BatchServiceClient {
    const url = this.resolveEndpoint(account);
    let client = this.clients.get(url);
    if (!client) {
      client = batchClient(url, this.credential, this.ca, this.maxRetries);
      this.clients.set(url, client);
    }
    return client;
  }
}
