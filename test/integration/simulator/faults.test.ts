import type { ComputeManagementClient } from '@azure/arm-compute';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MINUTE,
  RG,
  rawRequest,
  startTestSimulator,
  GALLERY_ID,
  publishVersion,
} from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

let sim: RunningSimulator;
let compute: ComputeManagementClient;
let batchFor: Awaited<ReturnType<typeof startTestSimulator>>['batch'];
const OS_DISK = `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`;
const DISK_PATH = `${OS_DISK}?api-version=2025-01-02`;

beforeAll(async () => {
  ({ sim, compute, batch: batchFor } = await startTestSimulator());
});
afterAll(() => sim.stop());
afterEach(async () => {
  await rawRequest(sim, 'DELETE', '/_sim/faults');
});

const THROTTLE_DISK_READ_ONCE = {
  kind: 'throttle',
  service: 'arm',
  pathContains: '/disks/',
  times: 1,
  retryAfterSeconds: 1,
} as const;

describe('injected faults', () => {
  it('throttles with 429, Retry-After and x-ms-ratelimit headers; the SDK waits and succeeds', async () => {
    sim.addFault(THROTTLE_DISK_READ_ONCE);
    const raw = await rawRequest(sim, 'GET', DISK_PATH);
    expect(raw.status).toBe(429);
    expect(raw.headers['retry-after']).toBe('1');
    expect(raw.headers['x-ms-ratelimit-remaining-subscription-reads']).toBe('0');
    sim.addFault(THROTTLE_DISK_READ_ONCE);
    const before = sim.recorder.lastSeq;
    const started = Date.now();
    const disk = await compute.disks.get('rg-render-build', 'vm-render-build-osdisk');
    expect(disk.name).toBe('vm-render-build-osdisk');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the SDK honoured Retry-After
    expect(sim.recorder.since(before).map((r) => r.status)).toEqual([429, 200]);
  });

  it.each([500, 503])('answers %i with an ARM error body', async (status) => {
    sim.addFault({ kind: 'status', status, service: 'arm', pathContains: '/disks/', times: 1 });
    const raw = await rawRequest(sim, 'GET', DISK_PATH);
    expect(raw.status).toBe(status);
    expect(raw.body.error.code).toBe(status === 503 ? 'ServiceUnavailable' : 'InternalServerError');
    expect((await rawRequest(sim, 'GET', DISK_PATH)).status).toBe(200);
  });

  it('resets the connection', async () => {
    sim.addFault({ kind: 'reset', pathContains: '/disks/', times: 1 });
    await expect(rawRequest(sim, 'GET', DISK_PATH)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sim.recorder.since(0).at(-1)).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('fails a long-running operation: the SDK poller reports the error', async () => {
    sim.addFault({
      kind: 'lroFail',
      pathContains: '/snapshots/snap-doomed',
      code: 'InternalDiskManagementError',
      message: 'Snapshot copy failed.',
    });
    const poller = await compute.snapshots.beginCreateOrUpdate(
      'rg-render-build',
      'snap-doomed',
      { location: 'westeurope', creationData: { createOption: 'Copy', sourceResourceId: OS_DISK } },
      { updateIntervalInMs: 5 },
    );
    sim.clock.advance(10 * MINUTE);
    await expect(poller.pollUntilDone()).rejects.toThrow(/Snapshot copy failed/);
    expect((await compute.snapshots.get('rg-render-build', 'snap-doomed')).provisioningState).toBe('Failed');
  });

  it('throttles a principal that exceeds ARM’s read bucket (250, +25/s) and not another', async () => {
    // Freeze the clock so the bucket does not refill during the burst.
    sim.clock.setSpeed(1e-9);
    try {
      const burst = await Promise.all(
        Array.from({ length: 260 }, () =>
          rawRequest(sim, 'GET', DISK_PATH, undefined, { Authorization: 'Bearer burst-principal' }),
        ),
      );
      const statuses = burst.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(250);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      const throttled = burst.find((r) => r.status === 429)!;
      expect(throttled.body.error.code).toBe('SubscriptionRequestsThrottled');
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(
        (await rawRequest(sim, 'GET', DISK_PATH, undefined, { Authorization: 'Bearer someone-else' })).status,
      ).toBe(200);
    } finally {
      sim.clock.setSpeed(1);
    }
  });

  it('fails a pool allocation with the injected resize error, and answers Batch faults in Batch’s shape', async () => {
    const versionId = await publishVersion(sim, compute);
    const batch = batchFor('batchrenderweu');
    sim.addFault({
      kind: 'poolAllocationFail',
      poolId: 'doomed',
      code: 'AllocationFailed',
      message: 'Allocation failed: no capacity for Standard_D4s_v5.',
      atFraction: 0.5,
    });
    await batch.pool.add({
      id: 'doomed',
      vmSize: 'Standard_D4s_v5',
      virtualMachineConfiguration: {
        imageReference: { virtualMachineImageId: versionId },
        nodeAgentSKUId: 'batch.node.ubuntu 22.04',
      },
      targetDedicatedNodes: 400,
    });
    sim.clock.advance(30 * MINUTE);
    const pool = await batch.pool.get('doomed');
    expect(pool.allocationState).toBe('steady');
    expect(pool.resizeErrors).toEqual([
      { code: 'AllocationFailed', message: 'Allocation failed: no capacity for Standard_D4s_v5.' },
    ]);
    expect(pool.currentDedicatedNodes).toBe(200);

    sim.addFault({ kind: 'status', status: 503, service: 'batch', times: 1, code: 'ServerBusy' });
    const raw = await rawRequest(
      sim,
      'GET',
      '/batch/batchrenderweu/pools/doomed?api-version=2025-06-01.21.0',
    );
    expect(raw.status).toBe(503);
    expect(raw.body).toMatchObject({ code: 'ServerBusy', message: { lang: 'en-US' } });
  });
});

describe('control API and request record', () => {
  it('records every request with method, path, status and simulated time', async () => {
    const before = sim.recorder.lastSeq;
    await rawRequest(sim, 'GET', `${GALLERY_ID}NotThere?api-version=2025-03-03`);
    const recorded = await rawRequest(sim, 'GET', `/_sim/requests?since=${before}`);
    expect(recorded.body.requests[0]).toMatchObject({
      service: 'arm',
      kind: 'read',
      method: 'GET',
      status: 404,
    });
    expect(recorded.body.requests[0].simTime).toMatch(/^\d{4}-/);
  });

  it('moves the clock and changes its speed', async () => {
    const before = sim.clock.nowMs();
    const response = await rawRequest(sim, 'POST', '/_sim/clock', { advanceMinutes: 90 });
    expect(Date.parse(response.body.now) - before).toBeGreaterThanOrEqual(90 * MINUTE);
    const faster = await rawRequest(sim, 'POST', '/_sim/clock', { speed: 600 });
    expect(faster.body.anchor.speed).toBe(600);
    await rawRequest(sim, 'POST', '/_sim/clock', { speed: 1 });
  });

  it('adds faults from the control API', async () => {
    const added = await rawRequest(sim, 'POST', '/_sim/faults', [{ kind: 'status', status: 503, times: 2 }]);
    expect(added.status).toBe(201);
    expect((await rawRequest(sim, 'GET', '/_sim/faults')).body.faults).toHaveLength(1);
  });
});

describe('saved state', () => {
  it('survives a restart from the state file', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'bif-sim-state-')), 'world.json');
    const { sim: first, compute: c1 } = await startTestSimulator({ statePath });
    await c1.snapshots.beginCreateOrUpdate('rg-render-build', 'snap-persisted', {
      location: 'westeurope',
      creationData: { createOption: 'Copy', sourceResourceId: OS_DISK },
    });
    first.clock.advance(60 * MINUTE);
    await c1.galleries.beginCreateOrUpdate('rg-hpc-images', 'galPersisted', { location: 'westeurope' });
    const savedAt = first.clock.nowMs();
    await first.stop();

    const { sim: second, compute: c2 } = await startTestSimulator({ statePath });
    try {
      expect(second.clock.nowMs()).toBeGreaterThanOrEqual(savedAt);
      expect((await c2.snapshots.get('rg-render-build', 'snap-persisted')).provisioningState).toBe(
        'Succeeded',
      );
      expect((await c2.galleries.get('rg-hpc-images', 'galPersisted')).name).toBe('galPersisted');
    } finally {
      await second.stop();
    }
  });
});
