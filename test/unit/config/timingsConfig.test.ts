import { readConfig, type ConfigError } from '../../../src/config/config';

const BASE = { BIF_SERVICEBUS__fullyQualifiedNamespace: 'ns.servicebus.windows.net' };

describe('learned timings settings', () => {
  it('are off without an endpoint: nothing recorded, the built-in model paces', () => {
    expect(readConfig(BASE).timings).toBeUndefined();
  });

  it('take the table endpoint alone in Azure (identity-based), with the table name and the bound', () => {
    expect(
      readConfig({ ...BASE, BIF_TIMINGS__tableServiceUri: 'https://acct.table.core.windows.net/' }).timings,
    ).toEqual({ table: 'bifTimings', keep: 50, endpoint: 'https://acct.table.core.windows.net' });
  });

  it('take a connection string only for local Azurite', () => {
    const azurite =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=x;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;';
    expect(readConfig({ ...BASE, BIF_TIMINGS_EMULATOR_CONNECTION: azurite }).timings).toMatchObject({
      emulatorConnectionString: azurite,
    });
  });

  it('name every bad setting and the fix', () => {
    let error: ConfigError | undefined;
    try {
      readConfig({
        ...BASE,
        BIF_TIMINGS__tableServiceUri: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k',
        BIF_TIMINGS_TABLE: 'bif-timings',
        BIF_TIMINGS_KEEP: '0',
        BIF_TIMINGS_EMULATOR_CONNECTION: 'ignored when the endpoint is set',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.problems).toEqual([
      expect.stringContaining('BIF_TIMINGS_TABLE "bif-timings" is not a table name'),
      expect.stringContaining('BIF_TIMINGS_KEEP must be a whole number from 1 to 1000'),
      expect.stringContaining('Storage Table Data Contributor'),
    ]);
  });

  it('refuse a production connection string as the local emulator setting', () => {
    expect(() =>
      readConfig({
        ...BASE,
        BIF_TIMINGS_EMULATOR_CONNECTION: 'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=k',
      }),
    ).toThrow(/only for local Azurite/);
  });
});
