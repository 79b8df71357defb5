import type { TokenCredential } from '@azure/core-auth';
import { tableTimings } from '../../../src/azure/timingsTable';

/**
 * The app has only a user-assigned identity: every client must use the credential the composition root
 * makes for it (credentialFor with AZURE_CLIENT_ID), never one of its own. The Table client in Azure is
 * built with exactly the credential it is handed, and asks it for a token before its first call.
 */
describe('learned timings in Azure use the app’s credential', () => {
  it('asks the handed credential for a Storage token before the first table call', async () => {
    const scopes: string[][] = [];
    const credential: TokenCredential = {
      getToken: async (scope) => {
        scopes.push([scope].flat());
        throw new Error('the app credential was asked');
      },
    };
    let made = 0;
    const timings = tableTimings(
      { table: 'bifTimings', keep: 10, endpoint: 'https://acct.table.core.windows.net' },
      () => (made++, credential),
    );
    await expect(timings.recent(['westeurope'])).rejects.toThrow(/the app credential was asked/);
    expect(made).toBe(1);
    expect(scopes[0]).toEqual(['https://storage.azure.com/.default']);
  });
});
