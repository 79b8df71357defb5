import { resolveServiceBusConnection } from '../../../src/local/host/serviceBusConnection';
import { serviceBusOptionsFrom } from '../../../src/local/host/serviceBusListener';
import { serviceBusTriggerInput } from '../../../src/local/host/serviceBusMessage';

/** The Functions Service Bus extension's connection rules, as the embedded host applies them. */
describe('Service Bus trigger connection', () => {
  const emulator =
    'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true';

  it('is identity-based from <CONNECTION>__fullyQualifiedNamespace, with the clientId of a user-assigned identity', () => {
    expect(
      resolveServiceBusConnection('f', 'BIF_SERVICEBUS', {
        BIF_SERVICEBUS__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
        BIF_SERVICEBUS__credential: 'managedidentity',
        BIF_SERVICEBUS__clientId: 'cid',
      }),
    ).toEqual({
      kind: 'identity',
      setting: 'BIF_SERVICEBUS__fullyQualifiedNamespace',
      fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      clientId: 'cid',
    });
  });

  it('takes an exact setting (a connection string) over the prefix, and the AzureWebJobs prefix', () => {
    expect(
      resolveServiceBusConnection('f', 'BIF_SERVICEBUS', {
        BIF_SERVICEBUS: emulator,
        BIF_SERVICEBUS__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      }),
    ).toMatchObject({ kind: 'connectionString', setting: 'BIF_SERVICEBUS', connectionString: emulator });
    expect(resolveServiceBusConnection('f', 'Sb', { AzureWebJobsSb: emulator })).toMatchObject({
      kind: 'connectionString',
      setting: 'AzureWebJobsSb',
    });
  });

  it('looks AzureWebJobs<CONNECTION> up first, then <CONNECTION>, as WebJobs does', () => {
    expect(
      resolveServiceBusConnection('f', 'BIF_SERVICEBUS', {
        BIF_SERVICEBUS: emulator,
        AzureWebJobsBIF_SERVICEBUS__fullyQualifiedNamespace: 'prefixed.servicebus.windows.net',
      }),
    ).toMatchObject({ kind: 'identity', fullyQualifiedNamespace: 'prefixed.servicebus.windows.net' });
    expect(
      resolveServiceBusConnection('f', 'BIF_SERVICEBUS', {
        AzureWebJobsBIF_SERVICEBUS: emulator,
        BIF_SERVICEBUS__fullyQualifiedNamespace: 'plain.servicebus.windows.net',
      }),
    ).toMatchObject({ kind: 'connectionString', setting: 'AzureWebJobsBIF_SERVICEBUS' });
  });

  it('uses __clientId only with __credential=managedidentity (else it does not pick the identity)', () => {
    const resolved = resolveServiceBusConnection('f', 'BIF_SERVICEBUS', {
      BIF_SERVICEBUS__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      BIF_SERVICEBUS__clientId: 'cid',
    });
    expect(resolved).toEqual({
      kind: 'identity',
      setting: 'BIF_SERVICEBUS__fullyQualifiedNamespace',
      fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    });
  });

  it('refuses a connection section without fullyQualifiedNamespace, naming the setting', () => {
    expect(() =>
      resolveServiceBusConnection('f', 'BIF_SERVICEBUS', { BIF_SERVICEBUS__credential: 'managedidentity' }),
    ).toThrow(/"BIF_SERVICEBUS" has settings but no BIF_SERVICEBUS__fullyQualifiedNamespace/);
  });

  it('names both ways to configure a missing connection', () => {
    expect(() => resolveServiceBusConnection('buildRequestsServiceBus', 'BIF_SERVICEBUS', {})).toThrow(
      /buildRequestsServiceBus: connection "BIF_SERVICEBUS" is not configured\. Set BIF_SERVICEBUS__fullyQualifiedNamespace .* or, for a local emulator only, BIF_SERVICEBUS to its connection string/,
    );
  });
});

describe('Service Bus trigger settings and input', () => {
  it('reads host.json extensions.serviceBus with the extension defaults, and refuses a bad duration', () => {
    expect(serviceBusOptionsFrom({})).toEqual({
      autoCompleteMessages: true,
      maxConcurrentCalls: 16,
      maxAutoLockRenewalMs: 300_000,
    });
    expect(serviceBusOptionsFrom({ autoCompleteMessages: false }).autoCompleteMessages).toBe(false);
    expect(() => serviceBusOptionsFrom({ maxAutoLockRenewalDuration: '5m' })).toThrow(
      /maxAutoLockRenewalDuration is "5m"; write it as hh:mm:ss/,
    );
  });

  it('hands the body over as the worker does: JSON parsed, text as is, bad UTF-8 replaced', () => {
    expect(serviceBusTriggerInput(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(serviceBusTriggerInput(Buffer.from('hello'))).toBe('hello');
    expect(serviceBusTriggerInput(Buffer.from([0x61, 0xff]))).toBe('a\uFFFD');
    expect(serviceBusTriggerInput('"quoted"')).toBe('quoted');
  });
});
