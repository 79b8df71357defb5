/**
 * Every app setting the app reads, in one table: the config reader validates them, the infra tests
 * check that Bicep sets each one and that local.settings.sample.json lists it.
 */
export interface SettingDefinition {
  name: string;
  /** Absent means optional (or defaulted). */
  required?: boolean;
  default?: string;
  description: string;
  /** Set only for local development; Bicep does not set it in Azure. */
  localOnly?: boolean;
}

export const SETTINGS = {
  buildQueue: {
    name: 'BIF_BUILD_QUEUE',
    default: 'build-requests',
    description: 'Storage queue of build requests (its poison queue is <name>-poison).',
  },
  serviceBusBuildQueue: {
    name: 'BIF_BUILD_SERVICEBUS_QUEUE',
    default: 'build-requests',
    description:
      'Service Bus queue of build requests, read through the BIF_SERVICEBUS connection (its dead-letter queue keeps the rejected ones).',
  },
  serviceBusTriggerConnection: {
    name: 'BIF_SERVICEBUS',
    description:
      'Local only: connection string of a Service Bus emulator for the build-request trigger (must say UseDevelopmentEmulator=true); in Azure the trigger uses BIF_SERVICEBUS__fullyQualifiedNamespace.',
    localOnly: true,
  },
  eventsTopic: {
    name: 'BIF_EVENTS_TOPIC',
    default: 'bif-events',
    description: 'Service Bus topic the milestone events go to.',
  },
  serviceBusNamespace: {
    name: 'BIF_SERVICEBUS__fullyQualifiedNamespace',
    description: 'Service Bus namespace host (identity-based), e.g. myns.servicebus.windows.net.',
  },
  serviceBusEmulator: {
    name: 'BIF_SERVICEBUS_EMULATOR_CONNECTION',
    description:
      'Local only: connection string of a Service Bus emulator (must say UseDevelopmentEmulator=true).',
    localOnly: true,
  },
  clientId: {
    name: 'AZURE_CLIENT_ID',
    description: 'Client id of the user-assigned managed identity every connection uses.',
  },
  refreshSchedule: {
    name: 'BIF_REFRESH_SCHEDULE',
    default: '0 0 3 * * *',
    description: 'NCRONTAB (6 fields) for the refreshImages timer.',
  },
  factoryConfig: {
    name: 'BIF_FACTORY_CONFIG',
    default: '{"images":[]}',
    description:
      'Factory config JSON (schemas/factory-config.schema.json): watched images, follower pools, refresh, retention.',
  },
  workingResourceGroup: {
    name: 'BIF_WORKING_RESOURCE_GROUP_ID',
    description:
      "Resource group id for snapshots and managed images; defaults to the source's resource group.",
  },
  regionStallLimit: {
    name: 'BIF_REGION_STALL_LIMIT',
    default: 'PT6H',
    description: 'A region whose replication shows no progress for this long is retried (ISO-8601).',
  },
  regionRetryLimit: {
    name: 'BIF_REGION_RETRY_LIMIT',
    default: '2',
    description: 'How many times one failed region is re-requested before Region.Failed.',
  },
  pollInterval: {
    name: 'BIF_POLL_INTERVAL',
    default: 'PT1M',
    description:
      'First wait between replication / allocation polls; it grows by half while nothing changes (ISO-8601).',
  },
  pollMaxInterval: {
    name: 'BIF_POLL_MAX_INTERVAL',
    default: 'PT10M',
    description: 'Longest wait between polls (ISO-8601).',
  },
  simulatorCaPath: {
    name: 'BIF_SIMULATOR_CA_PATH',
    description: 'Local only: PEM file of the cloud simulator CA to trust.',
    localOnly: true,
  },
  batchEndpoints: {
    name: 'BIF_BATCH_ENDPOINTS',
    description:
      'Local only: JSON {"accountName": "https://127.0.0.1:port"} sending Batch calls to the simulator.',
    localOnly: true,
  },
  armEndpoint: {
    name: 'BIF_ARM_ENDPOINT',
    default: 'https://management.azure.com',
    description: 'Azure Resource Manager endpoint (sovereign clouds, or the local simulator).',
  },
  timingsTable: {
    name: 'BIF_TIMINGS_TABLE',
    default: 'bifTimings',
    description: 'Azure Table storage table of learned timings (one partition per region).',
  },
  timingsEndpoint: {
    name: 'BIF_TIMINGS__tableServiceUri',
    description:
      'Table service endpoint of learned timings (identity-based, Storage Table Data Contributor), e.g. https://myaccount.table.core.windows.net. Absent: nothing is learned, the built-in model paces polls.',
  },
  timingsEmulator: {
    name: 'BIF_TIMINGS_EMULATOR_CONNECTION',
    description: 'Local only: connection string of the Azurite table service holding learned timings.',
    localOnly: true,
  },
  timingsKeep: {
    name: 'BIF_TIMINGS_KEEP',
    default: '50',
    description: 'Observations kept per region (the newest); older ones are deleted as new ones arrive.',
  },
  target: {
    name: 'BIF_TARGET',
    default: 'azure',
    description: '"azure" (managed identity / DefaultAzureCredential) or "simulator" (local, fixed token).',
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof SETTINGS;
