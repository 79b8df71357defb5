import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { ledgerInstanceId } from '../../src/domain/ledger';
import { definitionId, definitionRequest, EUS } from './requests';

/**
 * The per-definition ledger against the real app (issue #16 ledger review): restarts, terminated
 * holders, shared leases of existing versions, and retention across every account seen.
 */
jest.setTimeout(300_000);

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

const request = definitionRequest;

async function waitForStage(instanceId: string, stage: string) {
  const path = `/runtime/webhooks/durabletask/instances/${instanceId}`;
  for (let i = 0; i < 600; i++) {
    const { body } = await world.getJson(path);
    if (body?.customStatus?.stage === stage) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${instanceId} never reached ${stage}`);
}

async function terminate(instanceId: string) {
  const path = `/runtime/webhooks/durabletask/instances/${instanceId}/terminate?reason=test`;
  expect((await world.postJson(path, '')).status).toBe(202);
  await world.waitForStatus(instanceId, ['Terminated']);
}

const ledgerStatus = async (definition: string) =>
  (
    await world.getJson(
      `/runtime/webhooks/durabletask/instances/${ledgerInstanceId(definitionId(definition))}`,
    )
  ).body;

describe('the definition ledger: restarts and terminated holders', () => {
  it('R1: a terminated build resubmitted with a new version completes on the NEW version', async () => {
    const id = pipelineInstanceId('rel-l1');
    expect((await world.postJson('/api/builds', request('l1', 'ledger-r1', '6.1.1'))).status).toBe(202);
    await waitForStage(id, 'rollout');
    await terminate(id);
    const again = await world.postJson('/api/builds', request('l1', 'ledger-r1', '6.1.2'));
    expect(again.body).toMatchObject({ outcome: 'restarted' });
    const done = await world.waitForStatus(id, ['Completed', 'Failed'], 120_000);
    expect(done.customStatus.version).toBe('6.1.2');
    expect(done.runtimeStatus).toBe('Completed');
  });

  it('R2: a terminated build no longer holds its lease once the ledger checks holders', async () => {
    const a = pipelineInstanceId('rel-l2a');
    expect((await world.postJson('/api/builds', request('l2a', 'ledger-r2', '6.2.1'))).status).toBe(202);
    await waitForStage(a, 'rollout');
    await terminate(a);
    // Another build of the definition runs retention: the ledger must not keep the dead build's lease.
    const b = pipelineInstanceId('rel-l2b');
    expect((await world.postJson('/api/builds', request('l2b', 'ledger-r2', '6.2.2'))).status).toBe(202);
    expect((await world.waitForStatus(b, ['Completed', 'Failed'], 120_000)).runtimeStatus).toBe('Completed');
    const ledger = await ledgerStatus('ledger-r2');
    expect(ledger.customStatus.leases.map((l: { holder: string }) => l.holder)).not.toContain(a);
  });

  it("R2: with nothing else to do, the ledger drops a terminated holder's lease on its idle timer", async () => {
    const a = pipelineInstanceId('rel-l3a');
    expect((await world.postJson('/api/builds', request('l3a', 'ledger-r3', '6.3.1'))).status).toBe(202);
    await waitForStage(a, 'rollout');
    expect(
      (await ledgerStatus('ledger-r3')).customStatus.leases.map((l: { holder: string }) => l.holder),
    ).toContain(a);
    await terminate(a);
    // 15 simulated minutes idle at speed 600 is 1.5 s; allow for a loaded machine.
    let holders: string[] = [a];
    for (let i = 0; i < 300 && holders.includes(a); i++) {
      await new Promise((r) => setTimeout(r, 100));
      holders = (await ledgerStatus('ledger-r3')).customStatus.leases.map(
        (l: { holder: string }) => l.holder,
      );
    }
    expect(holders).not.toContain(a);
  });
});

describe('the definition ledger: shared leases, accounts, rebuild', () => {
  it('R4: two rollouts of one existing version run side by side', async () => {
    const first = pipelineInstanceId('rel-l4');
    expect((await world.postJson('/api/builds', request('l4', 'ledger-r4', '6.4.0'))).status).toBe(202);
    const made = await world.waitForStatus(first, ['Completed', 'Failed'], 120_000);
    expect(made.runtimeStatus).toBe('Completed');
    const source = { type: 'galleryImageVersion', id: made.customStatus.imageVersionId };
    const rollouts = ['l4a', 'l4b'].map((n) =>
      request(n, 'ledger-r4-target', '6.4.1', (i) => {
        i.source = source;
        i.image.version = n === 'l4a' ? '6.4.1' : '6.4.2';
      }),
    );
    for (const r of rollouts) expect((await world.postJson('/api/builds', r)).status).toBe(202);
    const finals = await Promise.all(
      ['l4a', 'l4b'].map((n) =>
        world.waitForStatus(pipelineInstanceId(`rel-${n}`), ['Completed', 'Failed'], 120_000),
      ),
    );
    expect(finals.map((f) => `${f.runtimeStatus} ${JSON.stringify(f.output)?.slice(0, 300)}`)).toEqual(
      finals.map((f) => `Completed ${JSON.stringify(f.output)?.slice(0, 300)}`),
    );
  });

  it('R5: retention keeps a version a pool in an account only an EARLIER build named still uses', async () => {
    const a = pipelineInstanceId('rel-l5a');
    expect((await world.postJson('/api/builds', request('l5a', 'ledger-r5', '6.5.1'))).status).toBe(202);
    expect((await world.waitForStatus(a, ['Completed', 'Failed'], 120_000)).runtimeStatus).toBe('Completed');
    const b = pipelineInstanceId('rel-l5b');
    const onlyEastUs = request('l5b', 'ledger-r5', '6.5.2', (i) => {
      i.pools[0].account = EUS;
      i.retention = { keepVersions: 1 };
    });
    expect((await world.postJson('/api/builds', onlyEastUs)).status).toBe(202);
    expect((await world.waitForStatus(b, ['Completed', 'Failed'], 120_000)).runtimeStatus).toBe('Completed');
    const version =
      world.simulator.world.state.resources[`${definitionId('ledger-r5')}/versions/6.5.1`.toLowerCase()];
    expect(version).toBeDefined();
    expect(version!.deletingAtSimMs).toBeUndefined();
  });

  it('R6: a ledger terminated and started again does not hand out an "auto" version twice', async () => {
    const missingVm =
      '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-missing';
    // Allocated, then failed in preflight: the version is never created, only the ledger knows it.
    const a = pipelineInstanceId('rel-l6a');
    const failing = request('l6a', 'ledger-r6', 'auto', (i) => (i.source.id = missingVm));
    expect((await world.postJson('/api/builds', failing)).status).toBe(202);
    expect((await world.waitForStatus(a, ['Completed', 'Failed'], 120_000)).runtimeStatus).toBe('Failed');
    const ledgerId = ledgerInstanceId(definitionId('ledger-r6'));
    expect((await ledgerStatus('ledger-r6')).customStatus.highestAllocated).toBe('1.0.0');
    await terminate(ledgerId);
    const b = pipelineInstanceId('rel-l6b');
    expect((await world.postJson('/api/builds', request('l6b', 'ledger-r6', 'auto'))).status).toBe(202);
    const done = await world.waitForStatus(b, ['Completed', 'Failed'], 120_000);
    expect(done.customStatus.version).toBe('1.0.1');
  });
});
