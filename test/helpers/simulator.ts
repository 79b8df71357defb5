import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/local/simulator/simulator';
import { readScenario, type Scenario } from '../../src/local/simulator/scenario';
import { SimulatorCredential } from '../../src/azure/credentials';
import { computeClient, batchClient } from '../../src/azure/clients';
import { request } from 'node:https';
import { ComputeClients, AzureComputeAdapter } from '../../src/azure/computeAdapter';
import { AzureGalleryAdapter } from '../../src/azure/galleryAdapter';
import { AzureBatchAdapter } from '../../src/azure/batchAdapter';
import { AzureBatchJobsAdapter } from '../../src/azure/batchJobsAdapter';

export const SUB = '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f';
export const RG = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
export const VM_ID = `${RG('rg-render-build')}/providers/Microsoft.Compute/virtualMachines/vm-render-build`;
export const GALLERY_ID = `${RG('rg-hpc-images')}/providers/Microsoft.Compute/galleries/galHpcImages`;

/** The demo scenario with small list pages (to exercise nextLink) and any edits. */
export function testScenario(edit?: (s: Scenario) => void): Scenario {
  const scenario = readScenario('demo');
  scenario.pageSize = 2;
  edit?.(scenario);
  return scenario;
}

/** A simulator on a frozen-ish clock (speed 1): tests move time with sim.clock.advance. */
export async function startTestSimulator(options: SimulatorOptions = {}) {
  const sim = await startSimulator({ speed: 1, scenario: testScenario(), ...options });
  const credential = new SimulatorCredential('test-principal');
  return {
    sim,
    credential,
    compute: computeClient({ armEndpoint: sim.armUrl, ca: sim.caCert }, credential, SUB),
    batch: (account: string) => batchClient(sim.batchUrl(account), credential, sim.caCert),
  };
}

/** A raw HTTPS call (no SDK retries, JSON in and out), for status and header checks. */
export function httpsJson(
  url: string,
  ca: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        headers: { Authorization: 'Bearer raw', 'Content-Type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

/** httpsJson against a simulator path. */
export function rawRequest(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return httpsJson(new URL(path, sim.armUrl).toString(), sim.caCert, method, body, headers);
}

export const MINUTE = 60_000;

type Compute = ReturnType<typeof computeClient>;

type Lro = <T>(begin: Promise<{ pollUntilDone(): Promise<T> }>) => Promise<T>;
const FAST = { updateIntervalInMs: 5 };

/** The managed image a version is published from: a snapshot of the build VM's OS disk, then the image. */
async function managedImage(compute: Compute, definition: string, lro: Lro): Promise<void> {
  const osDisk = `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`;
  await lro(
    compute.snapshots.beginCreateOrUpdate(
      'rg-render-build',
      `snap-${definition}`,
      { location: 'westeurope', creationData: { createOption: 'Copy', sourceResourceId: osDisk } },
      FAST,
    ),
  );
  await lro(
    compute.images.beginCreateOrUpdate(
      'rg-render-build',
      `img-${definition}`,
      {
        location: 'westeurope',
        storageProfile: {
          osDisk: {
            osType: 'Linux',
            osState: 'Generalized',
            snapshot: {
              id: `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/snap-${definition}`,
            },
          },
        },
      },
      FAST,
    ),
  );
}

/**
 * Publishes an image version the way the pipeline will: snapshot → managed image → gallery →
 * definition → version, letting simulated time pass for each step. Returns the version id.
 */
export async function publishVersion(
  sim: RunningSimulator,
  compute: Compute,
  options: {
    version?: string;
    definition?: string;
    osState?: 'Generalized' | 'Specialized';
    regions?: { name: string; regionalReplicaCount?: number }[];
    replicate?: boolean;
    /** The definition's features, e.g. SecurityType TrustedLaunch. */
    features?: { name: string; value: string }[];
  } = {},
): Promise<string> {
  const lro: Lro = async <T>(begin: Promise<{ pollUntilDone(): Promise<T> }>) => {
    const poller = await begin;
    sim.clock.advance(10 * MINUTE);
    return poller.pollUntilDone();
  };
  const definition = options.definition ?? 'ubuntu2204-render';
  await managedImage(compute, definition, lro);
  await lro(
    compute.galleries.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', { location: 'westeurope' }, FAST),
  );
  await lro(
    compute.galleryImages.beginCreateOrUpdate(
      'rg-hpc-images',
      'galHpcImages',
      definition,
      {
        location: 'westeurope',
        osType: 'Linux',
        osState: options.osState ?? 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: definition, sku: '1' },
        ...(options.features ? { features: options.features } : {}),
      },
      FAST,
    ),
  );
  const version = options.version ?? '1.0.0';
  await compute.galleryImageVersions.beginCreateOrUpdate(
    'rg-hpc-images',
    'galHpcImages',
    definition,
    version,
    {
      location: 'westeurope',
      publishingProfile: {
        targetRegions: options.regions ?? [{ name: 'westeurope', regionalReplicaCount: 2 }],
      },
      storageProfile: {
        source: { id: `${RG('rg-render-build')}/providers/Microsoft.Compute/images/img-${definition}` },
      },
    },
  );
  if (options.replicate ?? true) sim.clock.advance(24 * 60 * MINUTE);
  return `${GALLERY_ID}/images/${definition}/versions/${version}`;
}

/** The production adapters wired to a simulator (SDK retries as given; 0 shows the raw mapping). */
export function adaptersFor(sim: RunningSimulator, maxRetries = 0) {
  const credential = new SimulatorCredential('adapter-tests');
  const clients = new ComputeClients({ armEndpoint: sim.armUrl, ca: sim.caCert, maxRetries }, credential);
  const accountName = (id: string) => id.split('/').at(-1)!;
  return {
    compute: new AzureComputeAdapter(clients),
    gallery: new AzureGalleryAdapter(clients),
    batch: new AzureBatchAdapter(
      credential,
      (account) => sim.batchUrl(accountName(account.id)),
      sim.caCert,
      maxRetries,
      sim.armUrl,
    ),
    batchJobs: new AzureBatchJobsAdapter(
      credential,
      (account) => sim.batchUrl(accountName(account.id)),
      sim.caCert,
      maxRetries,
    ),
  };
}

export const ACCOUNT_WEU = {
  id: `${RG('rg-batch-weu')}/providers/Microsoft.Batch/batchAccounts/batchrenderweu`,
  endpoint: 'https://batchrenderweu.westeurope.batch.azure.com',
  region: 'westeurope',
};
