import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';

/**
 * The local simulator accepts any bearer token, but its throttling buckets are per principal, so the
 * token is a JWT-shaped value with a stable object id. Never used against Azure.
 */
export class SimulatorCredential implements TokenCredential {
  private readonly token: string;

  constructor(principal = 'bif-local') {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    this.token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ oid: principal, aud: 'simulator' })}.`;
  }

  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/**
 * The credential for a target: in Azure, the user-assigned managed identity named by AZURE_CLIENT_ID
 * (DefaultAzureCredential also covers `az login` for operators running locally against Azure).
 */
export function credentialFor(target: 'azure' | 'simulator', clientId?: string): TokenCredential {
  if (target === 'simulator') return new SimulatorCredential();
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}
