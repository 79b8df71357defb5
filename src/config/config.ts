import { SETTINGS, type SettingKey } from './settings';
import { factoryConfigSchema, type FactoryConfig } from '../domain/factoryConfig';
import { validateWith } from '../domain/validation';
import { parseDurationMs } from '../domain/duration';
import { parseResourceId } from '../domain/resourceId';
import { readTimings, type TimingsConfig } from './timingsConfig';

/** Validated configuration, read once at start-up. */
export interface AppConfig {
  buildQueue: string;
  /** The Service Bus queue of build requests (connection BIF_SERVICEBUS, like the events). */
  serviceBusBuildQueue: string;
  eventsTopic: string;
  serviceBus: { fullyQualifiedNamespace: string } | { emulatorConnectionString: string };
  clientId?: string;
  refreshSchedule: string;
  factory: FactoryConfig;
  workingResourceGroupId?: string;
  regionStallLimitMs: number;
  regionRetryLimit: number;
  armEndpoint: string;
  target: 'azure' | 'simulator';
  pollMinMs: number;
  pollMaxMs: number;
  simulatorCaPath?: string;
  batchEndpoints: Record<string, string>;
  /** Learned timings' table; undefined when no history is configured. */
  timings?: TimingsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

type Get = (key: SettingKey) => string | undefined;

/** Reads every setting, collects every problem, and throws them all at once. */
export function readConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const get: Get = (key) => {
    const def = SETTINGS[key];
    const value = env[def.name]?.trim();
    return value ? value : 'default' in def ? def.default : undefined;
  };
  const buildQueue = readQueueName(get, problems);
  const serviceBus = readServiceBus(get, problems);
  const serviceBusBuildQueue = readServiceBusQueue(get, problems);
  const refreshSchedule = readSchedule(get, problems);
  const factory = readFactory(get, problems);
  const workingResourceGroupId = readWorkingGroup(get, problems);
  const timing = readTiming(get, problems);
  const target = readTarget(get, problems);
  const batchEndpoints = readBatchEndpoints(get, problems);
  const timings = readTimings(get, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    buildQueue,
    serviceBusBuildQueue,
    eventsTopic: get('eventsTopic')!,
    serviceBus: serviceBus!,
    clientId: get('clientId'),
    refreshSchedule,
    factory,
    workingResourceGroupId,
    ...timing,
    ...target,
    batchEndpoints,
    ...(timings ? { timings } : {}),
  };
}

function readQueueName(get: Get, problems: string[]): string {
  const queue = get('buildQueue')!;
  // Storage queue names: 3-63 lower-case letters, digits and single hyphens.
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(queue)) {
    problems.push(
      `${SETTINGS.buildQueue.name} "${queue}" is not a storage queue name (3-63 lower-case letters, digits, single hyphens).`,
    );
  }
  return queue;
}

/**
 * Service Bus queue names: 1-260 letters, digits, periods, hyphens, underscores and slashes, starting
 * and ending with a letter or digit (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftservicebus).
 * The trigger's own connection string is for a local emulator only: in Azure it is identity-based.
 */
function readServiceBusQueue(get: Get, problems: string[]): string {
  const queue = get('serviceBusBuildQueue')!;
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,258}[A-Za-z0-9])?$/.test(queue))
    problems.push(
      `${SETTINGS.serviceBusBuildQueue.name} "${queue}" is not a Service Bus queue name (1-260 letters, digits, '.', '-', '_', '/', starting and ending with a letter or digit).`,
    );
  const connection = get('serviceBusTriggerConnection');
  if (connection && !/UseDevelopmentEmulator=true/i.test(connection))
    problems.push(
      `${SETTINGS.serviceBusTriggerConnection.name} holds a connection string; that is only for a local emulator (UseDevelopmentEmulator=true). In Azure remove it: the build-request trigger connects with the identity through ${SETTINGS.serviceBusNamespace.name} (role Azure Service Bus Data Receiver on the queue).`,
    );
  return queue;
}

function readServiceBus(get: Get, problems: string[]): AppConfig['serviceBus'] | undefined {
  const namespace = get('serviceBusNamespace');
  const emulator = get('serviceBusEmulator');
  if (namespace) {
    if (!/sharedaccesskey/i.test(namespace) && !namespace.includes('://'))
      return { fullyQualifiedNamespace: namespace };
    problems.push(
      `${SETTINGS.serviceBusNamespace.name} must be a host name like myns.servicebus.windows.net, not a connection string or URL.`,
    );
  } else if (emulator) {
    if (/UseDevelopmentEmulator=true/i.test(emulator)) return { emulatorConnectionString: emulator };
    problems.push(
      `${SETTINGS.serviceBusEmulator.name} is only for a local emulator (it must contain UseDevelopmentEmulator=true); in Azure set ${SETTINGS.serviceBusNamespace.name} and grant the identity Azure Service Bus Data Sender.`,
    );
  } else {
    problems.push(
      `${SETTINGS.serviceBusNamespace.name} is missing: set it to the Service Bus namespace host, e.g. myns.servicebus.windows.net.`,
    );
  }
  return undefined;
}

function readSchedule(get: Get, problems: string[]): string {
  const schedule = get('refreshSchedule')!;
  if (schedule.split(/\s+/).length !== 6) {
    problems.push(
      `${SETTINGS.refreshSchedule.name} "${schedule}" must be an NCRONTAB expression with 6 fields (second minute hour day month weekday), e.g. "0 0 3 * * *".`,
    );
  }
  return schedule;
}

function readFactory(get: Get, problems: string[]): FactoryConfig {
  try {
    const validated = validateWith(factoryConfigSchema, JSON.parse(get('factoryConfig')!));
    if (validated.ok) return validated.value;
    problems.push(...validated.findings.map((f) => `${SETTINGS.factoryConfig.name}: ${f.message}`));
  } catch (error) {
    problems.push(`${SETTINGS.factoryConfig.name} is not valid JSON: ${(error as Error).message}`);
  }
  return { images: [] };
}

function readWorkingGroup(get: Get, problems: string[]): string | undefined {
  const workingResourceGroupId = get('workingResourceGroup');
  if (workingResourceGroupId) {
    // A resource group id is a resource id without the provider part: check it as the id of something in it.
    const inGroup = parseResourceId(
      `${workingResourceGroupId.replace(/\/$/, '')}/providers/Microsoft.Compute/images/x`,
    );
    if (!inGroup.ok || /\/providers\//i.test(workingResourceGroupId)) {
      problems.push(
        `${SETTINGS.workingResourceGroup.name} must be a resource group id: /subscriptions/{guid}/resourceGroups/{name}.`,
      );
    }
  }
  return workingResourceGroupId;
}

function readTiming(
  get: Get,
  problems: string[],
): Pick<AppConfig, 'regionStallLimitMs' | 'regionRetryLimit' | 'pollMinMs' | 'pollMaxMs'> {
  const stall = get('regionStallLimit')!;
  const regionStallLimitMs = parseDurationMs(stall);
  if (!regionStallLimitMs)
    problems.push(`${SETTINGS.regionStallLimit.name} "${stall}" must be an ISO-8601 duration such as PT6H.`);

  const retries = Number(get('regionRetryLimit'));
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) {
    problems.push(`${SETTINGS.regionRetryLimit.name} must be a whole number from 0 to 20.`);
  }

  const pollMinMs = parseDurationMs(get('pollInterval')!);
  const pollMaxMs = parseDurationMs(get('pollMaxInterval')!);
  if (!pollMinMs) problems.push(`${SETTINGS.pollInterval.name} must be an ISO-8601 duration such as PT1M.`);
  if (!pollMaxMs || (pollMinMs && pollMaxMs < pollMinMs))
    problems.push(
      `${SETTINGS.pollMaxInterval.name} must be an ISO-8601 duration at least as long as ${SETTINGS.pollInterval.name}.`,
    );
  return {
    regionStallLimitMs: regionStallLimitMs!,
    regionRetryLimit: retries,
    pollMinMs: pollMinMs!,
    pollMaxMs: pollMaxMs!,
  };
}

function readTarget(
  get: Get,
  problems: string[],
): Pick<AppConfig, 'armEndpoint' | 'target' | 'simulatorCaPath'> {
  const armEndpoint = get('armEndpoint')!;
  if (!/^https:\/\//.test(armEndpoint))
    problems.push(
      `${SETTINGS.armEndpoint.name} must be an https:// URL (Azure SDKs refuse tokens over http).`,
    );
  const target = get('target');
  if (target === 'simulator' && !get('simulatorCaPath'))
    problems.push(
      `${SETTINGS.simulatorCaPath.name} is required with ${SETTINGS.target.name}=simulator (the simulator's CA file).`,
    );
  if (target !== 'azure' && target !== 'simulator')
    problems.push(`${SETTINGS.target.name} must be "azure" or "simulator", not "${target}".`);
  return {
    armEndpoint: armEndpoint.replace(/\/+$/, ''),
    target: target as AppConfig['target'],
    simulatorCaPath: get('simulatorCaPath'),
  };
}

function readBatchEndpoints(get: Get, problems: string[]): Record<string, string> {
  const endpointsText = get('batchEndpoints');
  if (!endpointsText) return {};
  try {
    const endpoints = JSON.parse(endpointsText) as Record<string, string>;
    return Object.fromEntries(Object.entries(endpoints).map(([k, v]) => [k.toLowerCase(), v]));
  } catch (error) {
    problems.push(`${SETTINGS.batchEndpoints.name} is not valid JSON: ${(error as Error).message}`);
    return {};
  }
}
