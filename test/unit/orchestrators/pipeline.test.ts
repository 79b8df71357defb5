import { DEFAULT_ORCHESTRATION_SETTINGS } from '../../../src/domain/pipeline';
import type { DurableEngine } from '../../../src/local/host/durable/engine';
import type { ScriptedCloud } from '../../helpers/scriptedCloud';
import { startScriptedEngine, stopScriptedEngines, withOldPool } from '../../helpers/scriptedCloud';
import { BUILD_VM as VM, newPoolsRequest, runPipeline } from '../../helpers/pipelineRuns';

/**
 * The real orchestrators on the embedded engine, with activities over a scripted in-memory cloud:
 * replication and allocation move with the virtual clock, and regions can be made to fail.
 */
jest.setTimeout(60_000);
afterEach(stopScriptedEngines);

const setup = () => startScriptedEngine(VM);

const request = newPoolsRequest;

const run = (engine: DurableEngine, r = request()) =>
  runPipeline(engine, r, { ...DEFAULT_ORCHESTRATION_SETTINGS, regionRetryLimit: 2 });

const types = (cloud: ScriptedCloud) => cloud.published.map((e) => e.type.replace('BatchImageFactory.', ''));

describe('imagePipeline and regionRollout on the embedded engine', () => {
  it('creates a region’s pools as soon as that region is replicated, while another still replicates', async () => {
    const { cloud, engine } = setup();
    cloud.regionScripts = {
      westeurope: { minutes: 20 },
      eastus: { minutes: 300 },
      southeastasia: { minutes: 60 },
      northeurope: { minutes: 30 },
    };
    const status = await run(engine);
    expect(status.runtimeStatus).toBe('Completed');
    const westPoolCreated = cloud.poolCreatedAt['render-weu-next']!;
    expect(westPoolCreated).toBeLessThan(cloud.regionCompletedAt.eastus!);
    expect(cloud.poolCreatedAt['render-eus-next']!).toBeGreaterThanOrEqual(cloud.regionCompletedAt.eastus!);
    // Milestones in order, per region replication before its pool.
    const t = types(cloud);
    expect(t.slice(0, 2)).toEqual(['Pipeline.Accepted', 'Image.Published']);
    expect(t.at(-1)).toBe('Pipeline.Completed');
    const idx = (type: string, key: string, value: string) =>
      cloud.published.findIndex(
        (e) => e.type.endsWith(type) && (e.data as Record<string, unknown>)[key] === value,
      );
    expect(idx('Region.Replicated', 'region', 'westeurope')).toBeLessThan(
      idx('Pool.Ready', 'poolId', 'render-weu-next'),
    );
    expect(idx('Pool.Ready', 'poolId', 'render-weu-next')).toBeLessThan(
      idx('Region.Replicated', 'region', 'eastus'),
    );
  });

  it('retries a failed region alone while the others complete', async () => {
    const { cloud, engine } = setup();
    cloud.regionScripts = {
      westeurope: { minutes: 20 },
      eastus: { minutes: 60, failAttempts: 1 },
      southeastasia: { minutes: 30 },
      northeurope: { minutes: 30 },
    };
    const status = await run(engine);
    expect(status.runtimeStatus).toBe('Completed');
    expect(cloud.calls.filter((c) => c.startsWith('updateTargetRegions'))).toHaveLength(1);
    expect(cloud.regionAttempts.eastus!.attempt).toBe(2);
    expect(cloud.regionAttempts.westeurope!.attempt).toBe(1);
    const replicated = cloud.published.find(
      (e) => e.type.endsWith('Region.Replicated') && (e.data as { region: string }).region === 'eastus',
    );
    expect((replicated!.data as { attempts: number }).attempts).toBe(2);
  });

  it('gives up on a region after the retry limit: Region.Failed, its pools skipped, the rest delivered, Pipeline.Failed says what succeeded', async () => {
    const { cloud, engine } = setup();
    cloud.regionScripts = {
      westeurope: { minutes: 20 },
      eastus: { minutes: 40, failAttempts: 5 },
      southeastasia: { minutes: 30 },
      northeurope: { minutes: 30 },
    };
    const status = await run(engine);
    expect(status.runtimeStatus).toBe('Failed');
    expect(cloud.regionAttempts.eastus!.attempt).toBe(3);
    const t = types(cloud);
    expect(t).toContain('Region.Failed');
    expect(cloud.poolCreatedAt['render-eus-next']).toBeUndefined();
    const failed = cloud.published.find((e) => e.type.endsWith('Pipeline.Failed'))!.data as {
      stage: string;
      reason: string;
      succeeded: { regionsReplicated: string[]; poolsReady: string[] };
    };
    expect(failed.stage).toBe('rollout');
    expect(failed.reason).toMatch(/region eastus: replication failed/);
    expect(failed.succeeded.poolsReady.sort()).toEqual(['render-sea-next', 'render-weu-next']);
    expect(failed.succeeded.regionsReplicated).not.toContain('eastus');
  });
});

describe('imagePipeline and regionRollout on the embedded engine: errors, preflight, replacement', () => {
  it('retries transient errors, and fails a permanent one at once without retrying it', async () => {
    const { cloud, engine } = setup();
    cloud.transientReplicationErrors = 2;
    cloud.permanentPoolErrors['render-sea-next'] = "The node agent SKU does not match the image's OS type.";
    const status = await run(engine);
    expect(status.runtimeStatus).toBe('Failed');
    expect(cloud.calls.filter((c) => c === 'createPool render-sea-next')).toHaveLength(1); // no retry of a permanent error
    // Both 503s were served and retried: every region still replicated, none failed on them.
    expect(cloud.transientReplicationErrors).toBe(0);
    expect(types(cloud).filter((t) => t === 'Region.Replicated')).toHaveLength(4);
    expect(types(cloud)).not.toContain('Region.Failed');
    const poolFailure = cloud.published.find((e) => e.type.endsWith('Pipeline.Failed'))!.data as {
      reason: string;
    };
    expect(poolFailure.reason).toMatch(/render-sea-next.*node agent SKU/);
    expect(types(cloud).filter((t) => t === 'Pool.Ready')).toHaveLength(2);
  });

  it('reports a pool whose allocation fails with its resize errors', async () => {
    const { cloud, engine } = setup();
    cloud.failingPools['render-eus-next'] = 'Allocation failed: no capacity';
    const status = await run(engine);
    expect(status.runtimeStatus).toBe('Failed');
    const poolFailed = cloud.published.find((e) => e.type.endsWith('Pool.Failed'))!.data as {
      poolId: string;
      resizeErrors: { code: string }[];
    };
    expect(poolFailed).toMatchObject({
      poolId: 'render-eus-next',
      resizeErrors: [{ code: 'AllocationFailed', message: 'Allocation failed: no capacity' }],
    });
  });

  it('fails at preflight with all findings and creates nothing', async () => {
    const { cloud, engine } = setup();
    Object.assign(cloud.vms.get(VM.toLowerCase())!.facts, {
      osState: 'Specialized',
      extensions: ['CustomScript'],
    });
    const status = await run(engine);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toMatch(/failed at preflight/);
    const failed = cloud.published.find((e) => e.type.endsWith('Pipeline.Failed'))!.data as {
      findings: { code: string }[];
    };
    expect(failed.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['SOURCE_NOT_GENERALIZED', 'VM_EXTENSIONS_INSTALLED']),
    );
    expect(cloud.calls.some((c) => c.startsWith('beginSnapshot') || c.startsWith('beginImageVersion'))).toBe(
      false,
    );
  });

  it('replaces pools blue/green: drain the old pool with taskcompletion, delete it, Pool.Retired', async () => {
    const { cloud, engine } = setup();
    const r = request((i) => {
      i.pools = [i.pools[2]];
      i.pools[0].replaces = 'render-sea-old';
      i.replication.extraRegions = [];
    });
    await withOldPool(cloud, r);
    const status = await run(engine, r);
    expect(status.runtimeStatus).toBe('Completed');
    expect(cloud.calls).toContain('resizePool render-sea-old 0/0 taskcompletion');
    expect(cloud.calls).toContain('deletePool render-sea-old');
    const retired = cloud.published.find((e) => e.type.endsWith('Pool.Retired'))!.data;
    expect(retired).toMatchObject({ poolId: 'render-sea-old', replacedBy: 'render-sea-next' });
  });
});
