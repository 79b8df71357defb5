import type { BatchServiceClient } from '@azure/batch';
import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { oldPoolWithWork, operatorBatch, poolState, whereIs } from '../helpers/batchWork';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { readScenario } from '../../src/local/simulator/scenario';
import { smallRequest } from './requests';

/**
 * kill -9 of the host in the middle of a cutover, then restart: the run ends consistent — every job
 * and schedule on exactly one healthy pool, nothing moved twice, no smoke-test job left behind.
 */
jest.setTimeout(240_000);
let world: TestWorld;
let batch: BatchServiceClient;
useFileWorld(
  () => {
    const scenario = readScenario('demo');
    scenario.batchAccounts!.find((a) => a.id.endsWith('batchrenderweu'))!.taskRules = [
      // The job's running task holds its disable (wait) long enough to kill the host mid-migration.
      { jobIdPrefix: 'etl-', runMinutes: 40 },
      { jobIdPrefix: 'bif-smoke-rel-pool-bad', exitCode: 1, runMinutes: 20 },
      { jobIdPrefix: 'bif-smoke-rel-pool-fail', exitCode: 1, runMinutes: 1 },
    ];
    return { speed: 120, scenario };
  },
  (w) => {
    world = w;
    batch = operatorBatch(w);
  },
);

async function killWhen(requestId: string, probe: (view: any) => boolean | Promise<boolean>) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { status, body } = await world.getJson(`/api/builds/${requestId}`);
    if (status === 200 && (await probe(body))) break;
    if (Date.now() > deadline) throw new Error(`never reached the kill point: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  await world.killHost();
  await world.startHost();
  return world.waitForStatus(pipelineInstanceId(requestId), ['Completed', 'Failed'], 150_000);
}

const linesOf = (view: any): { state: string }[] => view?.regions?.[0]?.pools ?? [];
const cutover = (i: Record<string, any>, poolId: string, replaces: string, exitFails = false) => {
  i.pools[0] = { ...i.pools[0], poolId, replaces, targetDedicatedNodes: 2 };
  i.migrateJobs = true;
  if (exitFails) i.smokeTest = { tasks: [{ commandLine: './selftest' }], timeout: 'PT1H' };
};

describe('kill -9 during a cutover, then restart', () => {
  it('during job migration: every job and schedule ends on the new pool, each moved once', async () => {
    await oldPoolWithWork(batch, 'rel-old-m', 'm');
    const seq = world.simulator.recorder.lastSeq;
    await world.enqueue(JSON.stringify(smallRequest(61, (i) => cutover(i, 'rel-pool-m', 'rel-old-m'))));
    const status = await killWhen('rel-61', (v) => linesOf(v).some((l) => l.state === 'migrating jobs'));
    expect(status.runtimeStatus).toBe('Completed');

    const after = await whereIs(batch);
    expect(after.schedules).toMatchObject({ 'm-nightly': 'rel-pool-m', 'm-hourly': 'rel-pool-m' });
    expect(after.jobs['etl-m']).toEqual({ pool: 'rel-pool-m', state: 'active' });
    expect(after.jobs['m-nightly:job-1']).toEqual({ pool: 'rel-pool-m', state: 'active' });
    expect(await poolState(batch, 'rel-old-m')).toMatch(/deleting|gone/);
    const calls = world.simulator.recorder.since(seq);
    const count = (method: string, re: RegExp) =>
      calls.filter((c) => c.method === method && re.test(c.path) && c.status < 300).length;
    expect(count('POST', /\/jobs\/etl-m\/disable/)).toBe(1);
    expect(count('POST', /\/jobs\/etl-m\/enable/)).toBe(1);
    expect(count('PATCH', /\/jobschedules\/m-nightly/)).toBe(1);
  });

  it('during the smoke test that rolls the pool back: old pool, jobs and schedules untouched, no job left', async () => {
    await oldPoolWithWork(batch, 'rel-old-r', 'r');
    const before = await batch.job.get('etl-r');
    await world.enqueue(
      JSON.stringify(smallRequest(62, (i) => cutover(i, 'rel-pool-bad-r', 'rel-old-r', true))),
    );
    const status = await killWhen('rel-62', (v) => linesOf(v).some((l) => l.state === 'smoke-testing'));
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toContain('smoke test failed');

    expect(await poolState(batch, 'rel-pool-bad-r')).toMatch(/deleting|gone/);
    expect(await poolState(batch, 'rel-old-r')).toBe('active');
    const after = await whereIs(batch);
    expect(after.schedules).toMatchObject({ 'r-nightly': 'rel-old-r', 'r-hourly': 'rel-old-r' });
    expect(after.jobs['etl-r']).toEqual({ pool: 'rel-old-r', state: 'active' });
    expect((await batch.job.get('etl-r')).eTag).toBe(before.eTag);
    expect(Object.keys(after.jobs).filter((j) => j.startsWith('bif-smoke'))).toEqual([]);
  });

  it('during the rollback itself (the new pool’s delete in flight): it ends rolled back, old pool untouched', async () => {
    await oldPoolWithWork(batch, 'rel-old-k', 'k');
    // The delete of the new pool is throttled twice: the rollback step lasts long enough to be killed in.
    world.simulator.addFault({
      kind: 'throttle',
      method: 'DELETE',
      pathContains: '/pools/rel-pool-fail-k',
      retryAfterSeconds: 2,
      times: 2,
    });
    const seq = world.simulator.recorder.lastSeq;
    await world.enqueue(
      JSON.stringify(smallRequest(63, (i) => cutover(i, 'rel-pool-fail-k', 'rel-old-k', true))),
    );
    const deleting = () =>
      world.simulator.recorder
        .since(seq)
        .some((c) => c.method === 'DELETE' && c.path.includes('/pools/rel-pool-fail-k'));
    const status = await killWhen('rel-63', deleting);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toContain('smoke test failed');

    expect(await poolState(batch, 'rel-pool-fail-k')).toMatch(/deleting|gone/);
    expect(await poolState(batch, 'rel-old-k')).toBe('active');
    const after = await whereIs(batch);
    expect(after.schedules).toMatchObject({ 'k-nightly': 'rel-old-k', 'k-hourly': 'rel-old-k' });
    expect(after.jobs['etl-k']).toEqual({ pool: 'rel-old-k', state: 'active' });
    expect(Object.keys(after.jobs).filter((j) => j.startsWith('bif-smoke'))).toEqual([]);
    const events = (await world.receiveEvents(200, 1500)).map((m) => m.body as { type: string; data: any });
    const rolledBack = events.filter(
      (e) => e.type.endsWith('Pool.RolledBack') && e.data.requestId === 'rel-63',
    );
    expect(rolledBack).toHaveLength(1);
  });
});
