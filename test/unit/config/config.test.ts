import { readConfig, ConfigError } from '../../../src/config/config';
import { SETTINGS } from '../../../src/config/settings';

const minimal = { BIF_SERVICEBUS__fullyQualifiedNamespace: 'bif-events.servicebus.windows.net' };

describe('readConfig', () => {
  it('reads a minimal Azure configuration with defaults', () => {
    const config = readConfig(minimal);
    expect(config).toMatchObject({
      buildQueue: 'build-requests',
      eventsTopic: 'bif-events',
      serviceBus: { fullyQualifiedNamespace: 'bif-events.servicebus.windows.net' },
      refreshSchedule: '0 0 3 * * *',
      factory: { images: [] },
      regionStallLimitMs: 6 * 3_600_000,
      regionRetryLimit: 2,
      armEndpoint: 'https://management.azure.com',
      target: 'azure',
    });
  });

  it('names every bad setting at once', () => {
    let error: unknown;
    try {
      readConfig({
        BIF_BUILD_QUEUE: 'Build_Requests',
        BIF_REFRESH_SCHEDULE: '0 3 * * *',
        BIF_FACTORY_CONFIG: '{"images": [{"image": {}}]}',
        BIF_REGION_STALL_LIMIT: '6 hours',
        BIF_REGION_RETRY_LIMIT: 'many',
        BIF_ARM_ENDPOINT: 'http://127.0.0.1:8443',
        BIF_TARGET: 'cloud',
        BIF_WORKING_RESOURCE_GROUP_ID: 'rg-work',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'BIF_BUILD_QUEUE',
      'BIF_SERVICEBUS__fullyQualifiedNamespace is missing',
      'BIF_REFRESH_SCHEDULE',
      'BIF_FACTORY_CONFIG',
      'BIF_REGION_STALL_LIMIT',
      'BIF_REGION_RETRY_LIMIT',
      'BIF_ARM_ENDPOINT',
      'BIF_TARGET',
      'BIF_WORKING_RESOURCE_GROUP_ID',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('refuses a keyed connection string outside the local emulator', () => {
    expect(() =>
      readConfig({
        BIF_SERVICEBUS_EMULATOR_CONNECTION:
          'Endpoint=sb://x.servicebus.windows.net;SharedAccessKeyName=k;SharedAccessKey=v',
      }),
    ).toThrow(/UseDevelopmentEmulator=true/);
    const local = readConfig({
      BIF_SERVICEBUS_EMULATOR_CONNECTION:
        'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true',
    });
    expect(local.serviceBus).toHaveProperty('emulatorConnectionString');
  });

  it('reads the Service Bus build queue, and keeps the trigger connection string to a local emulator', () => {
    expect(readConfig(minimal).serviceBusBuildQueue).toBe('build-requests');
    expect(() => readConfig({ ...minimal, BIF_BUILD_SERVICEBUS_QUEUE: '-requests-' })).toThrow(
      /BIF_BUILD_SERVICEBUS_QUEUE "-requests-" is not a Service Bus queue name/,
    );
    expect(() =>
      readConfig({
        ...minimal,
        BIF_SERVICEBUS: 'Endpoint=sb://x.servicebus.windows.net;SharedAccessKeyName=k;SharedAccessKey=v',
      }),
    ).toThrow(/BIF_SERVICEBUS holds a connection string; .* Azure Service Bus Data Receiver/);
    expect(
      readConfig({
        ...minimal,
        BIF_SERVICEBUS:
          'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true',
      }).serviceBusBuildQueue,
    ).toBe('build-requests');
  });

  it('refuses a connection string where the namespace host belongs', () => {
    expect(() =>
      readConfig({ BIF_SERVICEBUS__fullyQualifiedNamespace: 'Endpoint=sb://x/;SharedAccessKey=abc' }),
    ).toThrow(/host name/);
  });

  it('validates the factory config against its schema', () => {
    const gallery =
      '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.Compute/galleries/g';
    const factory = {
      images: [
        {
          image: {
            galleryId: gallery,
            definition: 'd',
            osType: 'Linux',
            identifier: { publisher: 'p', offer: 'o', sku: 's' },
          },
          followers: [
            {
              account: {
                id: '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.Batch/batchAccounts/acct',
                endpoint: 'https://acct.westeurope.batch.azure.com',
                region: 'westeurope',
              },
              poolIdTemplate: 'render',
              vmSize: 'Standard_D4s_v5',
              nodeAgentSkuId: 'batch.node.ubuntu 22.04',
            },
          ],
        },
      ],
    };
    expect(() => readConfig({ ...minimal, BIF_FACTORY_CONFIG: JSON.stringify(factory) })).toThrow(
      /must contain \{version\}/,
    );
    factory.images[0]!.followers[0]!.poolIdTemplate = 'render-{version}';
    expect(
      readConfig({ ...minimal, BIF_FACTORY_CONFIG: JSON.stringify(factory) }).factory.images[0]!.followers,
    ).toHaveLength(1);
  });

  it('every setting has a unique name and a description', () => {
    const names = Object.values(SETTINGS).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of Object.values(SETTINGS)) expect(s.description.length).toBeGreaterThan(10);
  });
});
