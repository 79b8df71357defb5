import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ComputeManagementClient } from '@azure/arm-compute';
import {
  MINUTE,
  publishVersion,
  rawRequest,
  startTestSimulator,
  GALLERY_ID,
  SUB,
} from '../../helpers/simulator';
import { VECTORS, readJson } from '../../helpers/requests';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

// Real @azure/arm-compute client → simulator; the simulator's Event Grid → a webhook on 127.0.0.1.
let sim: RunningSimulator;
let compute: ComputeManagementClient;

interface Delivery {
  headers: IncomingHttpHeaders;
  body: any[];
}
/** A webhook that answers the validation handshake and then the statuses it is told to, 200 after. */
async function webhook(options: { handshake?: 'echo' | 'wrong' | 404 } = {}) {
  const deliveries: Delivery[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text) as any[];
      if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
        if (options.handshake === 404) return res.writeHead(404).end();
        const code = options.handshake === 'wrong' ? 'nope' : body[0].data.validationCode;
        return res.writeHead(200).end(JSON.stringify({ validationResponse: code }));
      }
      deliveries.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
  return { url, deliveries, statuses, close: () => new Promise((r) => server.close(r)) };
}

const subscribe = (body: unknown) => rawRequest(sim, 'POST', '/_sim/eventSubscriptions', body);
const VERSION_WRITE = 'Microsoft.Compute/galleries/images/versions/write';

beforeEach(async () => {
  ({ sim, compute } = await startTestSimulator());
});
afterEach(() => sim.stop());

describe('simulated Event Grid system topic', () => {
  it('creates a webhook subscription only after the endpoint answers the validation handshake', async () => {
    const good = await webhook();
    const wrong = await webhook({ handshake: 'wrong' });
    const missing = await webhook({ handshake: 404 });
    try {
      expect((await subscribe({ name: 'ok', endpoint: good.url })).status).toBe(201);
      for (const bad of [wrong, missing]) {
        const answer = await subscribe({ endpoint: bad.url });
        expect(answer.status).toBe(400);
        expect(answer.body.error.message).toMatch(/validation handshake failed/);
      }
      const invalid = await subscribe({ endpoint: good.url, maxDeliveryAttempts: 31 });
      expect(invalid.body.error.message).toMatch(
        /eventSubscription\.maxDeliveryAttempts: an integer from 1 to 30/,
      );
      expect(
        (await rawRequest(sim, 'GET', '/_sim/eventSubscriptions')).body.value.map((s: any) => s.name),
      ).toEqual(['ok']);
    } finally {
      await Promise.all([good.close(), wrong.close(), missing.close()]);
    }
  });

  it('delivers ResourceWriteSuccess for a version PUT before it replicated, and for a PATCH and a DELETE with httpRequest', async () => {
    const hook = await webhook();
    try {
      await subscribe({
        endpoint: hook.url,
        includedEventTypes: [
          'Microsoft.Resources.ResourceWriteSuccess',
          'Microsoft.Resources.ResourceDeleteSuccess',
        ],
        subjectBeginsWith: `${GALLERY_ID}/images/`,
        advancedFilters: [
          {
            operatorType: 'StringIn',
            key: 'data.operationName',
            values: [VERSION_WRITE, 'Microsoft.Compute/galleries/images/versions/delete'],
          },
        ],
      });
      const versionId = await publishVersion(sim, compute, { version: '1.0.0', replicate: false });
      await sim.eventGrid.delivery.idle();
      // Only the version's write passed the filters (not the snapshot, image, gallery, definition).
      expect(hook.deliveries).toHaveLength(1);
      const [put] = hook.deliveries;
      expect(put!.body).toHaveLength(1); // an array of one event per delivery
      const event = put!.body[0];
      const sample = readJson<any>(join(VECTORS, 'eventgrid/event-grid-schema/resource_write_success.json'));
      expect(Object.keys(event).sort()).toEqual(Object.keys(sample).sort());
      for (const key of [
        'correlationId',
        'resourceProvider',
        'resourceUri',
        'operationName',
        'status',
        'subscriptionId',
        'tenantId',
      ])
        expect(event.data).toHaveProperty(key);
      expect(event).toMatchObject({
        topic: `/subscriptions/${SUB}/resourceGroups/rg-hpc-images`,
        subject: versionId,
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        dataVersion: '2',
        metadataVersion: '1',
        data: {
          resourceUri: versionId,
          operationName: VERSION_WRITE,
          status: 'Succeeded',
          subscriptionId: SUB,
        },
      });
      expect(event.data.httpRequest).toBeUndefined();
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(event.eventTime).toISOString()).toBe(event.eventTime); // simulated time, ISO 8601
      expect(put!.headers).toMatchObject({ 'aeg-event-type': 'Notification', 'aeg-delivery-count': '0' });
      // The event came while the version still replicates: the app must confirm with a GET.
      const [rg, gallery, definition, version] = [
        'rg-hpc-images',
        'galHpcImages',
        'ubuntu2204-render',
        '1.0.0',
      ];
      expect(
        (await compute.galleryImageVersions.get(rg!, gallery!, definition!, version!)).provisioningState,
      ).not.toBe('Succeeded');
      sim.clock.advance(600 * MINUTE);

      await compute.galleryImageVersions.beginUpdateAndWait(rg!, gallery!, definition!, version!, {
        publishingProfile: { excludeFromLatest: true },
        storageProfile: {},
      });
      // A PUT over the existing version is an update too: ARM adds httpRequest with PUT.
      const current = await compute.galleryImageVersions.get(rg!, gallery!, definition!, version!);
      await compute.galleryImageVersions.beginCreateOrUpdateAndWait(rg!, gallery!, definition!, version!, {
        location: current.location,
        publishingProfile: {
          targetRegions: current.publishingProfile!.targetRegions,
          excludeFromLatest: true,
        },
        storageProfile: current.storageProfile,
      });
      await compute.galleryImageVersions.beginDelete(rg!, gallery!, definition!, version!);
      await sim.eventGrid.delivery.idle();
      const [patch, reput, del] = hook.deliveries.slice(1).map((d) => d.body[0]);
      expect(reput).toMatchObject({
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        data: { operationName: VERSION_WRITE, httpRequest: { method: 'PUT' } },
      });
      expect(patch).toMatchObject({
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        data: { operationName: VERSION_WRITE, httpRequest: { method: 'PATCH' } },
      });
      expect(patch.data.httpRequest.url).toContain(versionId);
      expect(del).toMatchObject({
        eventType: 'Microsoft.Resources.ResourceDeleteSuccess',
        data: {
          operationName: 'Microsoft.Compute/galleries/images/versions/delete',
          httpRequest: { method: 'DELETE' },
        },
      });
    } finally {
      await hook.close();
    }
  });

  it('retries a 5xx on Event Grid schedule, and drops what a 400 refused', async () => {
    const hook = await webhook();
    try {
      await subscribe({ endpoint: hook.url, subjectBeginsWith: `${GALLERY_ID}/images/`, copies: 1 });
      await compute.galleries.beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', {
        location: 'westeurope',
      });
      sim.clock.advance(MINUTE);
      hook.statuses.push(503, 500);
      await compute.galleryImages
        .beginCreateOrUpdate('rg-hpc-images', 'galHpcImages', 'd1', {
          location: 'westeurope',
          osType: 'Linux',
          osState: 'Generalized',
          identifier: { publisher: 'p', offer: 'o', sku: 's' },
        })
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      expect(hook.deliveries).toHaveLength(1);
      sim.clock.advance(10_000); // first retry after 10 s
      await new Promise((r) => setTimeout(r, 100));
      expect(hook.deliveries).toHaveLength(2);
      sim.clock.advance(30_000); // then 30 s
      await sim.eventGrid.delivery.idle();
      expect(hook.deliveries.map((d) => d.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);
      expect(new Set(hook.deliveries.map((d) => d.body[0].id)).size).toBe(1);

      hook.statuses.push(400);
      await rawRequest(sim, 'DELETE', `${GALLERY_ID}/images/d1?api-version=2025-03-03`);
      sim.clock.advance(MINUTE);
      await sim.eventGrid.delivery.idle();
      const outcomes = (await rawRequest(sim, 'GET', '/_sim/eventDeliveries')).body.deliveries.map(
        (d: any) => `${d.eventType.split('.').at(-1)} ${d.attempt} ${d.status} ${d.outcome}`,
      );
      expect(outcomes).toEqual([
        'ResourceWriteSuccess 1 503 retrying',
        'ResourceWriteSuccess 2 500 retrying',
        'ResourceWriteSuccess 3 200 delivered',
        'ResourceDeleteSuccess 1 400 dropped',
      ]);
    } finally {
      await hook.close();
    }
  });
});
