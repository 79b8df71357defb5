import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { ROOT } from '../helpers/requests';
import { smallRequest } from './requests';

/**
 * Issue #16 items 4 and 5 on the real pieces: a failed or terminated build starts again when its
 * request is resubmitted — at every door — while a running or completed one does not; a running
 * pipeline cannot be purged; and a restarted pipeline never shares region children with the run it
 * replaced.
 */
jest.setTimeout(300_000);
const MISSING_VM =
  '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-does-not-exist';

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

/** A request that fails in preflight (its VM does not exist), and the same request corrected. */
const failing = (n: number) => JSON.stringify(smallRequest(n, (i) => (i.source.id = MISSING_VM)));
const corrected = (n: number) => JSON.stringify(smallRequest(n));

/** The CLI as a user runs it (async: a blocked test process would let the host drop its idle sockets). */
function bif(...args: string[]): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'dist/cli/bif.js'), ...args, '--host', world.host!.origin],
      { encoding: 'utf8', env: { ...process.env, BIF_FUNCTION_KEY: world.keys().functionKeys.default } },
      (error, stdout) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

describe('retry after failure', () => {
  it('queue: the corrected request under a failed requestId runs again and completes', async () => {
    const id = pipelineInstanceId('rel-301');
    await world.enqueue(failing(301));
    expect((await world.waitForStatus(id, ['Failed'], 90_000)).runtimeStatus).toBe('Failed');
    await world.enqueue(corrected(301));
    const done = await world.waitForStatus(id, ['Completed'], 120_000);
    expect(done.customStatus.stage).toBe('completed');
    expect(world.host!.logs.join('')).toMatch(
      /Restarted imagePipeline bif-rel-301 .*previous run was Failed/,
    );
  });

  it('POST /api/builds: 202 "restarted" after a failure; 409 once it completed', async () => {
    const id = pipelineInstanceId('rel-302');
    expect((await world.postJson('/api/builds', failing(302))).status).toBe(202);
    await world.waitForStatus(id, ['Failed'], 90_000);
    const again = await world.postJson('/api/builds', corrected(302));
    expect(again).toMatchObject({
      status: 202,
      body: { outcome: 'restarted', previousStatus: 'Failed', instanceId: id },
    });
    await world.waitForStatus(id, ['Completed'], 120_000);
    const done = await world.postJson('/api/builds', corrected(302));
    expect(done).toMatchObject({ status: 409, body: { outcome: 'duplicate', runtimeStatus: 'Completed' } });
  });

  it('bif submit: says Restarted after a failure, Already submitted while it runs or once it completed', async () => {
    const id = pipelineInstanceId('rel-303');
    const file = join(world.dir, 'rel-303.json');
    writeFileSync(file, failing(303));
    expect((await bif('submit', file)).stdout).toMatch(/^Started: bif-rel-303/);
    await world.waitForStatus(id, ['Failed'], 90_000);
    writeFileSync(file, corrected(303));
    const restarted = await bif('submit', file);
    expect(restarted.status).toBe(0);
    expect(restarted.stdout).toMatch(/^Restarted: bif-rel-303\n {2}The previous run was Failed/);
    const running = await bif('submit', file);
    expect(running.stdout).toMatch(/^Already submitted: bif-rel-303\n {2}It is (Pending|Running)/);
    await world.waitForStatus(id, ['Completed'], 120_000);
    expect((await bif('submit', file)).stdout).toMatch(
      /It is Completed; only a failed or terminated build starts again/,
    );
  });
});

describe('purge and restart of a running pipeline', () => {
  it('refuses to purge it (412); after terminate, a resubmission runs fresh region children to completion', async () => {
    const id = pipelineInstanceId('rel-304');
    const path = `/runtime/webhooks/durabletask/instances/${id}`;
    expect((await world.postJson('/api/builds', corrected(304))).status).toBe(202);
    let first: string[] = [];
    for (let i = 0; i < 300 && first.length === 0; i++) {
      const { body } = await world.getJson(path);
      if (body?.customStatus?.stage === 'rollout') first = body.customStatus.regionInstances ?? [];
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(first).toHaveLength(1);

    const purge = await world.fetchRaw(path, {
      method: 'DELETE',
      headers: { 'x-functions-key': world.keyFor(path) },
    });
    expect(purge.status).toBe(412);
    expect((await world.getJson(path)).body.runtimeStatus).toBe('Running');

    expect((await world.postJson(`${path}/terminate?reason=operator`, '')).status).toBe(202);
    await world.waitForStatus(id, ['Terminated']);
    // Terminating the parent leaves its region child running (in Azure too); the restart ends it first,
    // so it never races the new run for the same pools.
    expect(
      (await world.getJson(`/runtime/webhooks/durabletask/instances/${first[0]}`)).body.runtimeStatus,
    ).toBe('Running');
    const again = await world.postJson('/api/builds', corrected(304));
    expect(again.body).toMatchObject({ outcome: 'restarted', previousStatus: 'Terminated' });
    expect(
      (await world.getJson(`/runtime/webhooks/durabletask/instances/${first[0]}`)).body.runtimeStatus,
    ).toBe('Terminated');
    const done = await world.waitForStatus(id, ['Completed', 'Failed'], 120_000);
    expect(done.runtimeStatus).toBe('Completed');
    const second: string[] = done.customStatus.regionInstances;
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
  });
});
