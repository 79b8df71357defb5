import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import { readConfig, type AppConfig } from './config/config';
import type * as Credentials from './azure/credentials';
import type * as Clients from './azure/clients';
import type * as ComputeAdapter from './azure/computeAdapter';
import type * as GalleryAdapter from './azure/galleryAdapter';
import type * as BatchAdapter from './azure/batchAdapter';
import type * as BatchJobsAdapter from './azure/batchJobsAdapter';
import type * as ServiceBusPublisher from './azure/serviceBusPublisher';
import type * as TimingsTable from './azure/timingsTable';
import { systemClock } from './ports/clock';
import { NO_TIMINGS, type TimingsPort } from './ports/timings';
import type { Services } from './activities/services';
import type { OrchestrationSettings } from './domain/pipeline';
import { mustParse, resourceName } from './domain/resourceId';
import { imageDefinitionId } from './domain/factoryConfig';

/**
 * The one place that turns settings into adapters. Config is read and validated once, the first time
 * anything asks (the Functions entry point asks at load, so bad settings stop the app at start-up).
 * Adapters, and the Azure SDKs behind them, are built on first use: loading the app (a cold start in
 * Azure) imports no SDK besides @azure/functions and durable-functions, and an activity that only
 * touches the gallery never loads @azure/batch or @azure/service-bus. Hence the `require`s inside
 * functions below, with `import type` keeping them typed.
 */
let config: AppConfig | undefined;
let services: Services | undefined;
const overrides: Partial<Services> = {};

export function appConfig(): AppConfig {
  config ??= readConfig(process.env);
  return config;
}

export function orchestrationSettings(): OrchestrationSettings {
  const c = appConfig();
  return {
    regionStallLimitMs: c.regionStallLimitMs,
    regionRetryLimit: c.regionRetryLimit,
    pollMinMs: c.pollMinMs,
    pollMaxMs: c.pollMaxMs,
  };
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: see the comment at the top */
function lazyServices(c: AppConfig): Services {
  const once = <T>(build: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= build());
  };
  const credential = once((): TokenCredential =>
    (require('./azure/credentials') as typeof Credentials).credentialFor(c.target, c.clientId),
  );
  const ca = once(() =>
    c.target === 'simulator' && c.simulatorCaPath ? readFileSync(c.simulatorCaPath, 'utf8') : undefined,
  );
  const computeClients = once(() => {
    const { ComputeClients } = require('./azure/computeAdapter') as typeof ComputeAdapter;
    return new ComputeClients({ armEndpoint: c.armEndpoint, ca: ca() }, credential());
  });
  const compute = once(() => {
    const { AzureComputeAdapter } = require('./azure/computeAdapter') as typeof ComputeAdapter;
    return new AzureComputeAdapter(computeClients());
  });
  const gallery = once(() => {
    const { AzureGalleryAdapter } = require('./azure/galleryAdapter') as typeof GalleryAdapter;
    return new AzureGalleryAdapter(computeClients());
  });
  // Locally the Batch accounts live on simulator ports; in Azure each account's own endpoint is used.
  const resolveBatch = (account: { id: string; endpoint: string }) =>
    c.batchEndpoints[resourceName(mustParse(account.id)).toLowerCase()] ?? account.endpoint;
  const batch = once(() => {
    const { AzureBatchAdapter } = require('./azure/batchAdapter') as typeof BatchAdapter;
    return new AzureBatchAdapter(credential(), resolveBatch, ca(), undefined, c.armEndpoint);
  });
  const batchJobs = once(() => {
    const { AzureBatchJobsAdapter } = require('./azure/batchJobsAdapter') as typeof BatchJobsAdapter;
    return new AzureBatchJobsAdapter(credential(), resolveBatch, ca());
  });
  const events = once(() => {
    const { serviceBusClient } = require('./azure/clients') as typeof Clients;
    const { ServiceBusEventPublisher } = require('./azure/serviceBusPublisher') as typeof ServiceBusPublisher;
    return new ServiceBusEventPublisher(serviceBusClient(c.serviceBus, credential()), c.eventsTopic);
  });
  const timings = once((): TimingsPort => {
    if (!c.timings) return NO_TIMINGS;
    const { tableTimings } = require('./azure/timingsTable') as typeof TimingsTable;
    return tableTimings(c.timings, credential);
  });
  return {
    get compute() {
      return overrides.compute ?? compute();
    },
    get gallery() {
      return overrides.gallery ?? gallery();
    },
    get batch() {
      return overrides.batch ?? batch();
    },
    get batchJobs() {
      return overrides.batchJobs ?? batchJobs();
    },
    get events() {
      return overrides.events ?? events();
    },
    get clock() {
      return overrides.clock ?? systemClock;
    },
    get timings() {
      return overrides.timings ?? timings();
    },
    followerAccounts(definitionId: string) {
      return c.factory.images
        .filter((w) => imageDefinitionId(w.image).toLowerCase() === definitionId.toLowerCase())
        .flatMap((w) => w.followers.map((f) => f.account));
    },
    get workingResourceGroupId() {
      return 'workingResourceGroupId' in overrides
        ? overrides.workingResourceGroupId
        : c.workingResourceGroupId;
    },
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

export function appServices(): Services {
  services ??= lazyServices(appConfig());
  return services;
}

/**
 * Tests and the embedded host replace the clock (the virtual one) or the services wholesale. The rest
 * stay lazy: replacing the clock builds no adapter.
 */
export function overrideServices(replacement: Partial<Services>): void {
  Object.assign(overrides, replacement);
}
