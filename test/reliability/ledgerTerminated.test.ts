import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { ledgerInstanceId } from '../../src/domain/ledger';
import { definitionId, definitionRequest, EUS } from './requests';

/**
 * Issue #16 (hostile tester, term.py): a ledger terminated or purged through the Durable API must not
 * forget the Batch accounts earlier builds named, or the next retention deletes a version a pool in
 * one of them uses.
 */
jest.setTimeout(300_000);

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

/** Each build keeps one version: retention runs on every build. */
function request(n: string, definition: string, version: string, edit?: (i: Record<string, any>) => void) {
  return definitionRequest(n, definition, version, (input) => {
    input.retention = { keepVersions: 1 };
    edit?.(input);
  });
}

async function build(
  n: string,
  definition: string,
  version: string,
  edit?: (i: Record<string, any>) => void,
) {
  const id = pipelineInstanceId(`rel-${n}`);
  expect((await world.postJson('/api/builds', request(n, definition, version, edit))).status).toBe(202);
  const done = await world.waitForStatus(id, ['Completed', 'Failed'], 120_000);
  expect(`${done.runtimeStatus} ${JSON.stringify(done.output)?.slice(0, 300)}`).toMatch(/^Completed/);
  return done;
}

async function endLedger(definition: string, purge: boolean) {
  const path = `/runtime/webhooks/durabletask/instances/${ledgerInstanceId(definitionId(definition))}`;
  expect((await world.postJson(`${path}/terminate?reason=hostile`, '')).status).toBe(202);
  await world.waitForStatus(ledgerInstanceId(definitionId(definition)), ['Terminated'], 10_000);
  if (!purge) return;
  const purged = await world.fetchRaw(path, {
    method: 'DELETE',
    headers: { 'x-functions-key': world.keyFor(path) },
  });
  expect(purged.status).toBe(200);
}

const versionAlive = (definition: string, version: string) => {
  const r =
    world.simulator.world.state.resources[`${definitionId(definition)}/versions/${version}`.toLowerCase()];
  return r !== undefined && r.deletingAtSimMs === undefined;
};

describe('a ledger ended through the Durable API keeps every account', () => {
  it.each([
    ['terminated', false],
    ['terminated and purged', true],
  ])('%s: the next retention keeps the version a pool in another account uses', async (_, purge) => {
    const def = purge ? 'ledger-t1p' : 'ledger-t1';
    const tag = purge ? 't1p' : 't1';
    await build(`${tag}a`, def, '7.1.1');
    // B's only pool is in East US: only B's own retention named that account.
    await build(`${tag}b`, def, '7.1.2', (i) => (i.pools[0].account = EUS));
    await endLedger(def, purge);
    await build(`${tag}c`, def, '7.1.3');
    expect(versionAlive(def, '7.1.2')).toBe(true);
    expect(versionAlive(def, '7.1.3')).toBe(true);
  });
});

it('purged with the build that named the account: the version that build made is never deleted', async () => {
  const def = 'ledger-t1q';
  await build('t1qa', def, '7.2.1');
  await build('t1qb', def, '7.2.2', (i) => (i.pools[0].account = EUS));
  // Nobody can name East US any more: B's own instance is purged, and then the ledger.
  const bPath = `/runtime/webhooks/durabletask/instances/${pipelineInstanceId('rel-t1qb')}`;
  const purgedB = await world.fetchRaw(bPath, {
    method: 'DELETE',
    headers: { 'x-functions-key': world.keyFor(bPath) },
  });
  expect(purgedB.status).toBe(200);
  await endLedger(def, true);
  await build('t1qc', def, '7.2.3');
  expect(versionAlive(def, '7.2.2')).toBe(true);
});

describe('a ledger terminated again and again during a burst', () => {
  it('hands out no "auto" version twice and deletes no version a pool uses', async () => {
    const def = 'ledger-t2';
    const ledgerId = ledgerInstanceId(definitionId(def));
    const BUILDS = 30;
    const ids: string[] = [];
    const submitted: Promise<unknown>[] = [];
    // Every 4th build names its version, the rest are "auto"; pools alternate between two accounts.
    for (let i = 0; i < BUILDS; i++) {
      const n = `t2-${i}`;
      ids.push(pipelineInstanceId(`rel-${n}`));
      const body = request(n, def, i % 4 === 0 ? `8.${i}.0` : 'auto', (input) => {
        input.retention = { keepVersions: 3 };
        if (i % 2) input.pools[0].account = EUS;
      });
      submitted.push(world.postJson('/api/builds', body));
      await new Promise((r) => setTimeout(r, 40));
    }
    const path = `/runtime/webhooks/durabletask/instances/${ledgerId}`;
    for (let k = 0; k < 12; k++) {
      await new Promise((r) => setTimeout(r, 400));
      const { body } = await world.getJson(path);
      if (body?.runtimeStatus === 'Running') await world.postJson(`${path}/terminate?reason=hostile`, '');
    }
    await Promise.all(submitted);
    const finals = await Promise.all(
      ids.map((id) => world.waitForStatus(id, ['Completed', 'Failed'], 240_000)),
    );
    const failed = finals.filter((f) => f.runtimeStatus !== 'Completed');
    expect(failed.map((f) => `${f.instanceId}: ${JSON.stringify(f.output)?.slice(0, 300)}`)).toEqual([]);
    const versions = finals.map((f) => f.customStatus?.version as string);
    expect(new Set(versions).size).toBe(BUILDS);
    const state = world.simulator.world.state;
    const poolImages = Object.values(state.batchAccounts).flatMap((a) =>
      Object.values(a.pools)
        .filter((p) => p.id.startsWith('rel-pool-t2-'))
        .map(
          (p) =>
            (p.spec.virtualMachineConfiguration as { imageReference: { virtualMachineImageId: string } })
              .imageReference.virtualMachineImageId,
        ),
    );
    expect(poolImages).toHaveLength(BUILDS);
    expect(poolImages.filter((id) => !versionAlive(def, id.split('/').at(-1)!))).toEqual([]);
  });
});
