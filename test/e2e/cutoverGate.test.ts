import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestWorld, type TestWorld } from '../helpers/world';
import { ROOT, exampleInput } from '../helpers/requests';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import type { RecordedRequest } from '../../src/local/simulator/recorder';

jest.setTimeout(90_000);

/**
 * The health gate end to end: the compiled app in the embedded host, the simulator's nodes with states,
 * the events read back from the broker. A healthy pool passes and becomes ready; a new pool whose nodes
 * are 10 % unusable fails its gate and is rolled back, the pool it was to replace left as it was.
 */
const ACCOUNT = 'batchrenderweu';
let world: TestWorld;

beforeAll(async () => {
  world = await startTestWorld();
  await world.startHost();
});
afterAll(() => world?.stop());

function gateRequest(requestId: string, version: string, poolId: string, replaces?: string) {
  const input = exampleInput() as Record<string, any>;
  input.requestId = requestId;
  input.image.version = version;
  input.pools[0].poolId = poolId;
  input.pools[0].targetDedicatedNodes = 10;
  if (replaces) input.pools[0].replaces = replaces;
  else delete input.pools[0].replaces;
  return input;
}

async function run(input: Record<string, any>) {
  const since = world.simulator.recorder.lastSeq;
  await world.enqueue(JSON.stringify(input));
  const status = await world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 75_000);
  const events = (await world.receiveEvents(100, 1500)).map((m) => m.body as { type: string; data: any });
  const requests = world.simulator.recorder.since(since);
  return { status, events, requests };
}

/** `bif status <id>` against the running host. */
const bifStatus = (requestId: string) =>
  spawnSync(
    process.execPath,
    [join(ROOT, 'dist/cli/bif.js'), 'status', requestId, '--host', world.host!.origin],
    {
      encoding: 'utf8',
      env: { ...process.env, BIF_FUNCTION_KEY: world.keys().functionKeys.default },
    },
  ).stdout;
const short = (type: string) => type.replace('BatchImageFactory.', '');
const pool = (id: string) => world.simulator.world.state.batchAccounts[ACCOUNT]!.pools[id];
/** The health reads the gate made: node counts and node lists of this account. */
const healthReads = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.service === 'batch' && /\/(nodecounts|pools\/[^/]+\/nodes)(\?|$)/.test(r.path));

describe('the health gate', () => {
  it('passes a healthy pool: Pool.GatePassed before Pool.Ready, the gate on the status API', async () => {
    const { status, events, requests } = await run(gateRequest('gate-healthy', '1.4.0', 'gate-1-4-0'));
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toMatchObject({ poolsReady: ['gate-1-4-0'], poolsFailed: [] });
    const types = events.map((e) => short(e.type));
    expect(types.indexOf('Pool.GatePassed')).toBeGreaterThan(-1);
    expect(types.indexOf('Pool.GatePassed')).toBeLessThan(types.indexOf('Pool.Ready'));
    const passed = events.find((e) => e.type.endsWith('Pool.GatePassed'))!;
    expect(passed.data).toMatchObject({
      poolId: 'gate-1-4-0',
      nodeCounts: { idle: 10 },
      totalNodes: 10,
      healthyPercent: 100,
      minHealthyPercent: 95,
    });
    const view = await world.getJson('/api/builds/gate-healthy');
    const line = view.body.regions[0].pools[0];
    expect(line).toMatchObject({ poolId: 'gate-1-4-0', state: 'ready', gate: { verdict: 'passed' } });
    expect(line.gate.counts).toEqual({ idle: 10 });
    expect(bifStatus('gate-healthy')).toMatch(/gate passed\s+100% idle\/running \(needs 95%\)\s+10 idle/);
    const reads = healthReads(requests);
    // Counts only: the node list is read for a failing pool alone.
    expect(reads.every((r) => r.path.includes('/nodecounts'))).toBe(true);
    console.log(`health gate, healthy pool: ${reads.length} Batch requests (node counts)`);
  });
});

describe('the health gate failing', () => {
  it('rolls back a pool with 10 % unusable nodes: the new pool deleted, the old one untouched', async () => {
    world.simulator.addFault({
      kind: 'nodeState',
      poolId: 'gate-1-5-0',
      nodeState: 'unusable',
      share: 0.1,
      code: 'DiskFull',
      message: 'There is not enough disk space on the node',
    });
    const oldBefore = JSON.stringify(pool('gate-1-4-0'));
    const { status, events, requests } = await run(
      gateRequest('gate-unhealthy', '1.5.0', 'gate-1-5-0', 'gate-1-4-0'),
    );
    expect(status.runtimeStatus).toBe('Failed');
    const types = events.map((e) => short(e.type));
    expect(types).toEqual(expect.arrayContaining(['Pool.GateFailed', 'Pool.Failed', 'Pool.RolledBack']));
    expect(types).not.toContain('Pool.Ready');
    expect(types).not.toContain('Pool.Retired');
    const failed = events.find((e) => e.type.endsWith('Pool.Failed'))!.data;
    expect(failed).toMatchObject({
      poolId: 'gate-1-5-0',
      disposition: 'rolled-back',
      nodeCounts: { idle: 9, unusable: 1 },
    });
    expect(failed.nodeErrors[0]).toMatchObject({ state: 'unusable', code: 'DiskFull' });
    expect(failed.reason).toMatch(/9 of 10 nodes idle or running \(90%, needs 95%\): 1 unusable/);
    const rolledBack = events.find((e) => e.type.endsWith('Pool.RolledBack'))!.data;
    expect(rolledBack).toMatchObject({ poolId: 'gate-1-5-0', keptPool: 'gate-1-4-0' });
    const pipelineFailed = events.find((e) => e.type.endsWith('Pipeline.Failed'))!.data;
    expect(pipelineFailed.reason).toMatch(/pool gate-1-5-0: .*health gate/);

    // The new pool is being deleted (or gone); the old one and its nodes are as they were.
    const fresh = pool('gate-1-5-0');
    expect(fresh === undefined || fresh.deletingAtSimMs !== undefined).toBe(true);
    expect(JSON.stringify(pool('gate-1-4-0'))).toBe(oldBefore);
    const touchedOld = requests.filter(
      (r) => r.method !== 'GET' && r.path.toLowerCase().includes('/pools/gate-1-4-0'),
    );
    expect(touchedOld).toEqual([]);
    const reads = healthReads(requests);
    const lists = reads.filter((r) => r.path.includes('/nodes'));
    expect(lists).toHaveLength(1);
    expect(decodeURIComponent(lists[0]!.path)).toMatch(/\$select=id,state,errors,startTaskInfo/);
    const view = await world.getJson('/api/builds/gate-unhealthy');
    const line = view.body.regions[0].pools[0];
    expect(line.gate).toMatchObject({ verdict: 'failed', counts: { idle: 9, unusable: 1 } });
    expect(line.rolledBack).toBe(true);
    expect(bifStatus('gate-unhealthy')).toMatch(
      /pool gate-1-5-0 .* failed DiskFull\n\s+gate failed\s+90% idle\/running \(needs 95%\)\s+9 idle, 1 unusable\s+rolled back/,
    );
    console.log(
      `health gate, failing pool: ${reads.length} Batch reads (${reads.length - lists.length} node counts, ${lists.length} node list) + 1 pool delete`,
    );
  });
});
