import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  ORCHESTRATORS,
  pipelineInstanceId,
  type PipelineInput,
} from '../../../src/domain/pipeline';
import { buildRequestSchema, type BuildRequest } from '../../../src/domain/buildRequest';
import type { ScriptedCloud } from '../../helpers/scriptedCloud';
import { startScriptedEngine, stopScriptedEngines, withOldPool } from '../../helpers/scriptedCloud';
import { exampleInput, SUB_A } from '../../helpers/requests';

/**
 * Every wait has a deadline and ends with a clear failure when it passes; what was published stays true
 * (a pool published Ready stays ready); one pool's failure does not orphan its created siblings.
 */
jest.setTimeout(90_000);
afterEach(stopScriptedEngines);
const VM = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`;

const request = (edit?: (i: Record<string, any>) => void): BuildRequest => {
  const input = exampleInput('three-regions-3000-nodes') as Record<string, any>;
  input.pools.forEach((p: Record<string, unknown>) => delete p.replaces);
  edit?.(input);
  return buildRequestSchema.parse(input);
};

/** The south-east Asia pool alone, replacing an old pool of 100 running nodes. */
const blueGreen = () =>
  request((i) => {
    i.pools = [i.pools[2]];
    i.pools[0].replaces = 'render-sea-old';
    i.replication.extraRegions = [];
  });

async function run(prepare: (cloud: ScriptedCloud) => Promise<void> | void, r = request()) {
  // Nothing outside the engine acts during these runs: time jumps from timer to timer.
  const { cloud, engine } = startScriptedEngine(VM, undefined, 'jump-when-idle');
  await prepare(cloud);
  const input: PipelineInput = { request: r, settings: DEFAULT_ORCHESTRATION_SETTINGS };
  const id = pipelineInstanceId(r.requestId);
  engine.startNew(ORCHESTRATORS.imagePipeline, id, input);
  const status = await engine.waitFor(id, ['Completed', 'Failed'], 60_000);
  const failed = cloud.published.find((e) => e.type.endsWith('Pipeline.Failed'))?.data as
    { stage: string; reason: string; succeeded: { poolsReady: string[] } } | undefined;
  const of = (type: string) =>
    cloud.published.filter((e) => e.type.endsWith(type)).map((e) => e.data as Record<string, any>);
  return { cloud, status, failed, of };
}

describe('wait deadlines', () => {
  it('fails a pool still allocating past its resizeTimeout plus the grace period, with Pool.Failed', async () => {
    const { status, failed, of } = await run((cloud) => {
      cloud.stuckPools.add('render-eus-next');
    });
    expect(status.runtimeStatus).toBe('Failed');
    const poolFailed = of('Pool.Failed');
    expect(poolFailed.map((d) => d.poolId)).toEqual(['render-eus-next']);
    expect(poolFailed[0]!.reason).toMatch(
      /still resizing at 0 of 1000 nodes .* past its resizeTimeout \(PT15M\) plus 30 minutes/,
    );
    expect(failed!.succeeded.poolsReady.sort()).toEqual(['render-sea-next', 'render-weu-next']);
  });

  it('leaves an old pool that does not drain in time in place and fails the rollout saying so', async () => {
    const r = blueGreen();
    const { cloud, status, failed, of } = await run(async (c) => {
      await withOldPool(c, r);
      c.stuckDrains.add('render-sea-old');
    }, r);
    expect(status.runtimeStatus).toBe('Failed');
    expect(cloud.calls).toContain('resizePool render-sea-old 0/0 taskcompletion');
    expect(cloud.calls).not.toContain('deletePool render-sea-old');
    expect(failed!.reason).toMatch(
      /render-sea-old \(replaced by render-sea-next\) was still draining after 24 hours/,
    );
    expect(failed!.succeeded.poolsReady).toEqual(['render-sea-next']);
    expect(of('Pool.Failed')).toEqual([]);
  });

  it('fails at the snapshot stage when a snapshot never finishes provisioning', async () => {
    const { status, failed } = await run((cloud) => {
      cloud.stuckProvisioning = (id) => /\/snapshots\//i.test(id);
    });
    expect(status.runtimeStatus).toBe('Failed');
    expect(failed!.stage).toBe('snapshot');
    expect(failed!.reason).toMatch(/did not finish provisioning within 120 minutes/);
  });

  it('gives a region up when its replication outlasts the deadline, even while it still progresses', async () => {
    const { status, failed, of } = await run((cloud) => {
      cloud.regionScripts = { eastus: { minutes: 10 * 24 * 60 } };
    });
    expect(status.runtimeStatus).toBe('Failed');
    expect(of('Region.Failed').map((d) => d.region)).toEqual(['eastus']);
    expect(failed!.reason).toMatch(/region eastus: replication did not complete within 72 hours/);
  });
});

describe('what was published stays true', () => {
  it('keeps a pool that was published Ready ready when its region fails later', async () => {
    const r = blueGreen();
    const { status, failed, of } = await run(async (c) => {
      await withOldPool(c, r);
      c.permanentDeleteErrors['render-sea-old'] = 'The pool has a job schedule that still uses it.';
    }, r);
    expect(status.runtimeStatus).toBe('Failed');
    expect(of('Pool.Ready').map((d) => d.poolId)).toEqual(['render-sea-next']);
    expect(failed!.succeeded.poolsReady).toEqual(['render-sea-next']);
    expect(failed!.reason).toMatch(/job schedule that still uses it/);
    expect(of('Pool.Failed')).toEqual([]);
  });

  it('still waits for and reports the pools created next to one whose creation failed for good', async () => {
    const r = request((i) => {
      i.pools.push({ ...i.pools[0], poolId: 'render-weu-extra', targetDedicatedNodes: 10 });
    });
    const { cloud, status, failed, of } = await run((c) => {
      c.permanentPoolErrors['render-weu-next'] = "The node agent SKU does not match the image's OS type.";
    }, r);
    expect(status.runtimeStatus).toBe('Failed');
    expect(cloud.calls.filter((c) => c === 'createPool render-weu-next')).toHaveLength(1);
    expect(
      of('Pool.Ready')
        .map((d) => d.poolId)
        .sort(),
    ).toEqual(['render-eus-next', 'render-sea-next', 'render-weu-extra']);
    expect(of('Pool.Failed')).toEqual([
      expect.objectContaining({ poolId: 'render-weu-next', reason: expect.stringMatching(/node agent SKU/) }),
    ]);
    expect(failed!.succeeded.poolsReady).toContain('render-weu-extra');
  });
});
