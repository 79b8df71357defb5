import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createdPools, startTestWorld, type TestWorld } from '../helpers/world';
import { ROOT, SUB_A, exampleInput, poolInput } from '../helpers/requests';
import { pipelineInstanceId } from '../../src/domain/pipeline';

jest.setTimeout(120_000);

/**
 * Waves on the local world (issue #13, "waves"): the compiled app in the embedded host, the simulator,
 * the broker. Wave N+1 creates no pool until wave N passed (and its approval came); a failed wave stops
 * every later one, whose regions still replicate but see no pool work at all.
 */
const account = (rg: string, name: string, region: string) => ({
  id: `/subscriptions/${SUB_A}/resourceGroups/${rg}/providers/Microsoft.Batch/batchAccounts/${name}`,
  endpoint: `https://${name}.${region}.batch.azure.com`,
  region,
});
const WEU = account('rg-batch-weu', 'batchrenderweu', 'westeurope');
const EUS = account('rg-batch-eus', 'batchrendereus', 'eastus');
const SEA = account('rg-batch-sea', 'batchrendersea', 'southeastasia');

function request(id: string, version: string, waves: unknown[]) {
  const input = exampleInput();
  input.requestId = id;
  input.image.version = version;
  input.pools = [
    poolInput({ account: WEU, poolId: `${id}-weu`, targetDedicatedNodes: 2 }),
    poolInput({ account: EUS, poolId: `${id}-eus`, targetDedicatedNodes: 2, replaces: `${id}-eus-old` }),
    poolInput({ account: SEA, poolId: `${id}-sea`, targetDedicatedNodes: 2, replaces: `${id}-sea-old` }),
  ] as never;
  input.waves = waves as never;
  return input;
}

type Event = { type: string; data: Record<string, any> };

let world: TestWorld;
beforeAll(async () => {
  // No timer refresh in the middle of a wait that must make no request.
  world = await startTestWorld({ settings: { BIF_REFRESH_SCHEDULE: '0 0 0 1 1 *' } });
  await world.startHost();
});
afterAll(() => world?.stop());

/** Every request the simulator served that names `text` in its path (any method, any service). */
const requestsNaming = (text: string) =>
  world.simulator.recorder.since(0).filter((r) => r.path.toLowerCase().includes(text.toLowerCase()));

/**
 * The CLI as a user runs it. Asynchronously: a spawnSync would block this process's event loop while
 * the host closes idle keep-alive sockets, and the next fetch would reuse a closed one.
 */
function bif(...args: string[]): Promise<{ status: number | null; stdout: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/cli/bif.js'), ...args, '--host', world.host!.origin],
    {
      env: { ...process.env, BIF_FUNCTION_KEY: world.keys().functionKeys.default },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (c) => (stdout += String(c)));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout })));
}

it('cutover waves: a canary wave that fails stops the later waves: their pools are never created, old pools never touched', async () => {
  world.simulator.addFault({
    kind: 'poolAllocationFail',
    poolId: 'waves-canary-weu',
    code: 'AllocationFailed',
    message: 'No capacity for Standard_D4s_v5.',
  });
  const body = request('waves-canary', '5.0.1', [
    { regions: ['westeurope'], soakMinutes: 30 },
    { regions: ['eastus'] },
    { regions: ['southeastasia'] },
  ]);
  expect((await world.postJson('/api/builds', body)).status).toBe(202);
  const done = await world.waitForStatus(pipelineInstanceId('waves-canary'), ['Completed', 'Failed'], 90_000);
  expect(done.runtimeStatus).toBe('Failed');
  expect(JSON.stringify(done.output)).toMatch(
    /failed at rollout: wave 1 \(westeurope\) failed: .*waves-canary-weu/,
  );
  expect(JSON.stringify(done.output)).toMatch(/wave\(s\) 2, 3 were not cut over/);

  // The simulator's record: the canary's pool was created, the later waves' pools never were, and
  // no request of any kind named the pools they would have replaced.
  expect(createdPools(world.simulator)).toContain('batchrenderweu');
  expect(requestsNaming('/pools/waves-canary-weu').some((r) => r.method === 'PUT')).toBe(true);
  for (const pool of ['waves-canary-eus', 'waves-canary-sea', 'waves-canary-eus-old', 'waves-canary-sea-old'])
    expect(requestsNaming(`/pools/${pool}`)).toEqual([]);

  const events = (await world.receiveEvents(200, 1500))
    .map((m) => m.body as Event)
    .filter((e) => e.data.requestId === 'waves-canary');
  const waves = events
    .filter((e) => e.type.includes('.Wave.'))
    .map((e) => [e.type.split('.').at(-1), e.data.wave]);
  expect(waves).toEqual([
    ['Started', 1],
    ['Failed', 1],
  ]);
  const failed = events.find((e) => e.type.endsWith('Wave.Failed'))!;
  expect(failed.data).toMatchObject({ wavesStopped: [2, 3], regionsStopped: ['eastus', 'southeastasia'] });
  // Held regions still replicate.
  const replicated = events.filter((e) => e.type.endsWith('Region.Replicated')).map((e) => e.data.region);
  expect(replicated).toEqual(expect.arrayContaining(['westeurope', 'eastus', 'southeastasia']));
  expect(events.filter((e) => e.type.endsWith('Pool.Ready'))).toEqual([]);
  expect(events.at(-1)!.type).toMatch(/Pipeline\.Failed$/);

  const view = await world.getJson('/api/builds/waves-canary');
  expect(view.body.pipeline.waves.map((w: { state: string }) => w.state)).toEqual([
    'failed',
    'skipped',
    'skipped',
  ]);
  const stages = Object.fromEntries(view.body.regions.map((r: any) => [r.region, r.stage]));
  expect(stages).toMatchObject({ eastus: 'held', southeastasia: 'held' });
});

it('cutover waves: an approval wave waits until `bif approve`, then completes', async () => {
  const id = 'waves-approve';
  const body = request(id, '5.0.2', [
    { regions: ['westeurope'], soakMinutes: 10 },
    { regions: ['eastus', 'southeastasia'], approval: true },
  ]);
  expect((await world.postJson('/api/builds', body)).status).toBe(202);
  const waiting = await waitForWave(id, 2, 'awaiting-approval');
  expect(waiting.waves[0].state).toBe('passed');
  expect(waiting.waves[1].awaitingApprovalSince).toEqual(expect.any(String));
  // Held: the canary's pool exists, the second wave's do not, however long it waits — and waiting
  // costs Azure nothing (an external event, no polling): 15 simulated minutes without a request.
  const before = world.simulator.recorder.since(0).length;
  await new Promise((r) => setTimeout(r, 1500));
  expect(
    world.simulator.recorder
      .since(0)
      .slice(before)
      .map((r) => `${r.method} ${r.path}`),
  ).toEqual([]);
  expect(requestsNaming(`/pools/${id}-eus`)).toEqual([]);
  expect(requestsNaming(`/pools/${id}-sea`)).toEqual([]);
  expect(requestsNaming(`/pools/${id}-weu`).length).toBeGreaterThan(0);

  const shown = await bif('status', id);
  expect(shown.stdout).toMatch(
    /wave 2\s+awaiting-approval\s+eastus, southeastasia\s+since .*bif approve waves-approve --wave 2/,
  );
  const wrong = await bif('approve', id, '--wave', '1');
  expect(wrong.status).toBe(4);
  expect(wrong.stdout).toMatch(
    /wave 1 does not need an approval; the next wave is 2 \(eastus, southeastasia\), awaiting-approval/,
  );
  const approved = await bif('approve', id, '--by', 'ops-oncall', '--comment', 'canary looks good');
  expect({ status: approved.status, out: approved.stdout }).toEqual({
    status: 0,
    out: `Approved wave 2 of ${id}.\n`,
  });

  const done = await world.waitForStatus(pipelineInstanceId(id), ['Completed', 'Failed'], 90_000);
  expect(done.runtimeStatus).toBe('Completed');
  expect(done.output.poolsReady.sort()).toEqual([`${id}-eus`, `${id}-sea`, `${id}-weu`]);
  const events = (await world.receiveEvents(200, 1500))
    .map((m) => m.body as Event)
    .filter((e) => e.data.requestId === id && e.type.includes('.Wave.'));
  expect(events.map((e) => [e.type.split('.').at(-1), e.data.wave])).toEqual([
    ['Started', 1],
    ['Passed', 1],
    ['AwaitingApproval', 2],
    ['Approved', 2],
    ['Started', 2],
    ['Passed', 2],
  ]);
  expect(events[3]!.data).toMatchObject({ approvedBy: 'ops-oncall', comment: 'canary looks good' });
  expect(events[1]!.data.soakUntil).toEqual(expect.any(String));

  // Nothing waits any more: 409 naming why; an unknown build: 404.
  const again = await world.postJson(`/api/builds/${id}/approve`, {});
  expect(again.status).toBe(409);
  expect(again.body.error).toMatch(/the build is Completed/);
  expect((await world.postJson('/api/builds/no-such-build/approve', {})).status).toBe(404);
});

async function waitForWave(requestId: string, wave: number, state: string) {
  const deadline = Date.now() + 60_000;
  let last: any;
  while (Date.now() < deadline) {
    last = (await world.getJson(`/api/builds/${requestId}`)).body?.pipeline;
    if (last?.waves?.[wave - 1]?.state === state) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wave ${wave} of ${requestId} never became ${state}: ${JSON.stringify(last)}`);
}
