import type { BatchServiceClient, BatchServiceModels } from '@azure/batch';
import { MINUTE, httpsJson, publishVersion, startTestSimulator } from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';
import { AzureBatchAdapter } from '../../../src/azure/batchAdapter';
import { SimulatorCredential } from '../../../src/azure/credentials';

/**
 * Compute nodes over the wire: the real @azure/batch client and the product's adapter against the
 * simulator's node list (ComputeNode_List: $filter on state, $select, maxresults paging with
 * odata.nextLink) and pool node counts (Account_ListPoolNodeCounts: 10 pools a page at most), with
 * nodeState faults making a share of nodes unusable or failing their start task.
 */
const ACCOUNT = {
  id: '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-batch-weu/providers/Microsoft.Batch/batchAccounts/batchrenderweu',
  endpoint: 'https://batchrenderweu.westeurope.batch.azure.com',
  region: 'westeurope',
};
let sim: RunningSimulator;
let batch: BatchServiceClient;
let adapter: AzureBatchAdapter;
let versionId: string;

const poolSpec = (id: string, nodes: number, startTask = false): BatchServiceModels.PoolAddParameter => ({
  id,
  vmSize: 'Standard_D4s_v5',
  virtualMachineConfiguration: {
    imageReference: { virtualMachineImageId: versionId },
    nodeAgentSKUId: 'batch.node.ubuntu 22.04',
  },
  targetDedicatedNodes: nodes,
  resizeTimeout: 'PT15M',
  ...(startTask ? { startTask: { commandLine: '/bin/sh -c ./install.sh', waitForSuccess: true } } : {}),
});

beforeAll(async () => {
  const started = await startTestSimulator();
  sim = started.sim;
  batch = started.batch('batchrenderweu');
  versionId = await publishVersion(sim, started.compute, { version: '1.0.0' });
  adapter = new AzureBatchAdapter(
    new SimulatorCredential('test-principal'),
    () => sim.batchUrl('batchrenderweu'),
    sim.caCert,
    0,
    sim.armUrl,
  );
});
afterAll(() => sim.stop());

async function allNodes(poolId: string, options: BatchServiceModels.ComputeNodeListOptions = {}) {
  const out: BatchServiceModels.ComputeNode[] = [];
  let page = await batch.computeNode.list(poolId, { computeNodeListOptions: options });
  let pages = 1;
  out.push(...page);
  while (page.odatanextLink) {
    page = await batch.computeNode.listNext(page.odatanextLink);
    out.push(...page);
    pages += 1;
  }
  return { nodes: out, pages };
}

describe('compute nodes over the wire', () => {
  it('shows nodes starting, then idle; pages with maxresults and filters on state', async () => {
    sim.addFault({
      kind: 'nodeState',
      poolId: 'nodes-a',
      nodeState: 'unusable',
      share: 0.1,
      code: 'DiskFull',
    });
    await batch.pool.add(poolSpec('nodes-a', 20));
    sim.clock.advance(4 * MINUTE);
    const early = await allNodes('nodes-a');
    expect(early.nodes.length).toBeGreaterThan(0);
    expect(early.nodes.some((n) => n.state === 'starting')).toBe(true);
    sim.clock.advance(10 * MINUTE);
    const paged = await allNodes('nodes-a', { maxResults: 7 });
    expect(paged.pages).toBe(3);
    expect(paged.nodes).toHaveLength(20);
    expect(new Set(paged.nodes.map((n) => n.id)).size).toBe(20);
    expect(paged.nodes.filter((n) => n.state === 'idle')).toHaveLength(18);
    const bad = await allNodes('nodes-a', {
      filter: "state eq 'unusable' or state eq 'starttaskfailed'",
      select: 'id,state,errors',
    });
    expect(bad.nodes).toHaveLength(2);
    expect(bad.nodes[0]).toEqual({
      id: expect.stringMatching(/^tvmps_[0-9a-f]+_d$/),
      state: 'unusable',
      errors: [expect.objectContaining({ code: 'DiskFull' })],
    });
  });

  it('counts nodes per state for each pool, 10 pools a page, filtered by pool id', async () => {
    for (let i = 0; i < 11; i++) await batch.pool.add(poolSpec(`count-${String(i).padStart(2, '0')}`, 1));
    sim.clock.advance(10 * MINUTE);
    const first = await batch.account.listPoolNodeCounts();
    expect(first.length).toBe(10);
    expect(first.odatanextLink).toBeDefined();
    const one = await batch.account.listPoolNodeCounts({
      accountListPoolNodeCountsOptions: { filter: "poolId eq 'nodes-a'" },
    });
    expect(one).toHaveLength(1);
    expect(one[0]!.dedicated).toMatchObject({ idle: 18, unusable: 2, total: 20 });
    expect(one[0]!.lowPriority).toMatchObject({ total: 0 });
  });
});

describe('compute node rules and faults', () => {
  it('refuses maxresults out of range and filters it cannot read, as Batch does', async () => {
    const url = `${sim.batchUrl('batchrenderweu')}/nodecounts?api-version=2022-10-01.16.0`;
    const tooMany = await httpsJson(`${url}&maxresults=11`, sim.caCert, 'GET');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('OutOfRangeQueryParameterValue');
    const nodesUrl = `${sim.batchUrl('batchrenderweu')}/pools/nodes-a/nodes?api-version=2022-10-01.16.0`;
    const filter = encodeURIComponent("startswith(state, 'un')");
    expect((await httpsJson(`${nodesUrl}&$filter=${filter}`, sim.caCert, 'GET')).status).toBe(400);
    expect((await httpsJson(`${nodesUrl}&maxresults=1001`, sim.caCert, 'GET')).status).toBe(400);
    // $select names are case-sensitive REST names; the product's own node select is tested below.
    const miscased = await httpsJson(`${nodesUrl}&$select=id,State`, sim.caCert, 'GET');
    expect(miscased.status).toBe(400);
    expect(miscased.body.code).toBe('InvalidQueryParameterValue');
  });

  it('fails a start task on a share of nodes: starttaskfailed with the failure Batch reports', async () => {
    sim.addFault({
      kind: 'nodeState',
      poolId: 'nodes-st',
      nodeState: 'starttaskfailed',
      share: 0.5,
      exitCode: 3,
    });
    await batch.pool.add(poolSpec('nodes-st', 4, true));
    sim.clock.advance(8 * MINUTE);
    const states = (await allNodes('nodes-st')).nodes.map((n) => n.state).sort();
    expect(states).toEqual(['idle', 'idle', 'starttaskfailed', 'starttaskfailed']);
    const errors = await adapter.firstNodeErrors(ACCOUNT, 'nodes-st', ['starttaskfailed', 'unusable'], 5);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ state: 'starttaskfailed', code: 'FailureExitCode' });
    expect(errors[0]!.message).toMatch(/exit code 3/);
  });

  it('applies a nodeState fault to the pools of one image version only', async () => {
    sim.addFault({ kind: 'nodeState', imageVersionId: versionId.toUpperCase(), nodeState: 'unknown' });
    await batch.pool.add(poolSpec('nodes-by-image', 2));
    sim.clock.advance(8 * MINUTE);
    const states = (await allNodes('nodes-by-image')).nodes.map((n) => n.state);
    expect(states).toEqual(['unknown', 'unknown']);
    sim.world.state.faults = sim.world.state.faults.filter((f) => !f.imageVersionId);
    expect((await allNodes('nodes-by-image')).nodes.map((n) => n.state)).toEqual(['idle', 'idle']);
  });

  it('answers the adapter: counts of one pool in one request, of several from the account pages', async () => {
    const before = sim.recorder.lastSeq;
    const [one] = await adapter.countNodes(ACCOUNT, ['nodes-a']);
    expect(one).toEqual({ poolId: 'nodes-a', counts: { idle: 18, unusable: 2 }, total: 20 });
    expect(sim.recorder.since(before)).toHaveLength(1);
    const several = await adapter.countNodes(ACCOUNT, ['nodes-a', 'count-10', 'nodes-st']);
    expect(several.map((c) => c.poolId).sort()).toEqual(['count-10', 'nodes-a', 'nodes-st']);
    expect(await adapter.firstNodeErrors(ACCOUNT, 'no-such-pool', ['unusable'], 5)).toEqual([]);
  });

  it('lists pools cut to the fields asked for with $select (capacity and retention read a few of each)', async () => {
    const before = sim.recorder.lastSeq;
    const pools = await adapter.listPools(ACCOUNT, ['vmSize', 'targetDedicatedNodes']);
    const listed = sim.recorder.since(before).filter((r) => r.method === 'GET' && /\/pools\?/.test(r.path));
    expect(listed).toHaveLength(1);
    expect(decodeURIComponent(listed[0]!.path)).toContain('$select=id,vmSize,targetDedicatedNodes');
    const a = pools.find((p) => p.poolId === 'nodes-a')!;
    // Only what was asked for: no field Batch did not send reads as a plausible default ('active', 0…).
    expect(a).toEqual({ poolId: 'nodes-a', vmSize: 'standard_d4s_v5', targetDedicatedNodes: 20 });
    // @ts-expect-error the image was not selected: a reader of it must not compile
    expect(a.imageVersionId).toBeUndefined();
    // @ts-expect-error nor the state, which would otherwise read 'active'
    expect(a.state).toBeUndefined();
    const whole = await adapter.listPools(ACCOUNT);
    expect(whole.find((p) => p.poolId === 'nodes-a')?.imageVersionId).toBe(versionId);
  });

  it('asks Batch for enableAutoScale alone when only whether a pool autoscales is wanted', async () => {
    const before = sim.recorder.lastSeq;
    const pools = await adapter.listPools(ACCOUNT, ['autoScaleEnabled']);
    const listed = sim.recorder.since(before).filter((r) => r.method === 'GET' && /\/pools\?/.test(r.path));
    expect(decodeURIComponent(listed[0]!.path)).toMatch(/\$select=id,enableAutoScale(&|$)/);
    expect(pools.find((p) => p.poolId === 'nodes-a')).toEqual({ poolId: 'nodes-a', autoScaleEnabled: false });
  });
});
