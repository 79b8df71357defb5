import { SETTINGS } from '../config/settings';

/**
 * The app settings that point the app at the local stand-ins — what local.settings.json would hold:
 * every setting with a default (so binding expressions like %BIF_BUILD_QUEUE% resolve), then the
 * simulator, Azurite and broker endpoints, then any overrides.
 */
export function localAppSettings(
  parts: {
    armUrl: string;
    batchAccounts: Record<string, string>;
    caPath: string;
    storageConnection: string;
    /** Azurite's table service: learned timings. */
    tableConnection?: string;
    serviceBusConnection: string;
  },
  overrides: Record<string, string> = {},
): Record<string, string> {
  const defaults = Object.fromEntries(
    Object.values(SETTINGS)
      .filter((s): s is typeof s & { default: string } => 'default' in s)
      .map((s) => [s.name, process.env[s.name] ?? s.default]),
  );
  return {
    ...defaults,
    AzureWebJobsStorage: parts.storageConnection,
    BIF_TARGET: 'simulator',
    BIF_ARM_ENDPOINT: parts.armUrl,
    BIF_SIMULATOR_CA_PATH: parts.caPath,
    BIF_BATCH_ENDPOINTS: JSON.stringify(parts.batchAccounts),
    BIF_SERVICEBUS_EMULATOR_CONNECTION: parts.serviceBusConnection,
    // The build-request trigger's connection: an exact setting (a connection string) wins over the
    // identity-based BIF_SERVICEBUS__* settings, as in the Functions Service Bus extension.
    BIF_SERVICEBUS: parts.serviceBusConnection,
    ...(parts.tableConnection ? { [SETTINGS.timingsEmulator.name]: parts.tableConnection } : {}),
    ...overrides,
  };
}
