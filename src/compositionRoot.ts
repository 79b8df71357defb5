import { readFileSync } from 'node:fs';
import { readConfig, type AppConfig } from './config/config';
import { credentialFor } from './azure/credentials';
import { serviceBusClient } from './azure/clients';
import { AzureComputeAdapter, ComputeClients } from './azure/computeAdapter';
import { AzureGalleryAdapter } from './azure/galleryAdapter';
import { AzureBatchAdapter } from './azure/batchAdapter';
import { ServiceBusEventPublisher } from './azure/serviceBusPublisher';
import { systemClock } from './ports/clock';
import type { Services } from './activities/services';
import type { OrchestrationSettings } from './domain/pipeline';
import { mustParse, resourceName } from './domain/resourceId';

/**
 * The one place that turns settings into adapters. Config is read and validated once, the first time
 * anything asks (the Functions entry point asks at load, so bad settings stop the app at start-up);
 * adapters are built on first use so loading the app connects to nothing.
 */
let config: AppConfig | undefined;
let services: Services | undefined;

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

export function appServices(): Services {
  if (services) return services;
  const c = appConfig();
  const credential = credentialFor(c.target, c.clientId);
  const ca =
    c.target === 'simulator' && c.simulatorCaPath ? readFileSync(c.simulatorCaPath, 'utf8') : undefined;
  const clients = new ComputeClients({ armEndpoint: c.armEndpoint, ca }, credential);
  // Locally the Batch accounts live on simulator ports; in Azure each account's own endpoint is used.
  const resolveBatch = (account: { id: string; endpoint: string }) =>
    c.batchEndpoints[resourceName(mustParse(account.id)).toLowerCase()] ?? account.endpoint;
  services = {
    compute: new AzureComputeAdapter(clients),
    gallery: new AzureGalleryAdapter(clients),
    batch: new AzureBatchAdapter(credential, resolveBatch, ca),
    events: new ServiceBusEventPublisher(serviceBusClient(c.serviceBus, credential), c.eventsTopic),
    clock: systemClock,
    workingResourceGroupId: c.workingResourceGroupId,
  };
  return services;
}

/** Tests and the embedded host replace the clock (the virtual one) or the services wholesale. */
export function overrideServices(replacement: Partial<Services>): void {
  services = { ...appServices(), ...replacement };
}
