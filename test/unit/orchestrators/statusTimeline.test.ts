import type { PipelineStatus, RegionStatus, StageMark } from '../../../src/domain/status';
import { markStage, TIMELINE_LIMIT } from '../../../src/orchestrators/stageTimeline';
import { regionStatus } from '../../../src/orchestrators/regionStatus';
import { STATUS_BUDGET_BYTES, statusBytes } from '../../../src/orchestrators/statusBudget';
import { startScriptedEngine, stopScriptedEngines } from '../../helpers/scriptedCloud';
import { BUILD_VM as VM, newPoolsRequest, startPipeline } from '../../helpers/pipelineRuns';

/**
 * The dashboard draws each region's timeline from the custom statuses: every stage a run entered and
 * when (orchestration time), bounded like the rest of the status (16 KB limit).
 */
jest.setTimeout(60_000);
afterEach(stopScriptedEngines);

const request = newPoolsRequest;

const stages = (timeline: StageMark[] | undefined) => (timeline ?? []).map((m) => m.stage);
const ordered = (timeline: StageMark[] | undefined) =>
  (timeline ?? []).every((m, i, all) => i === 0 || Date.parse(all[i - 1]!.at) <= Date.parse(m.at));

describe('stage timelines in the custom statuses', () => {
  it('records when the pipeline and each region entered each stage, a retried replication included', async () => {
    const { cloud, engine } = startScriptedEngine(VM);
    cloud.regionScripts = {
      westeurope: { minutes: 20 },
      eastus: { minutes: 60, failAttempts: 1 },
      southeastasia: { minutes: 30 },
      northeurope: { minutes: 30 },
    };
    const id = startPipeline(engine, request());
    const status = await engine.waitFor(id, ['Completed', 'Failed'], 50_000);
    expect(status.runtimeStatus).toBe('Completed');

    const pipeline = status.customStatus as PipelineStatus;
    expect(stages(pipeline.timeline)).toEqual(
      expect.arrayContaining(['preflight', 'snapshot', 'version', 'rollout', 'retention', 'completed']),
    );
    expect(stages(pipeline.timeline)[0]).toBe('preflight');
    expect(stages(pipeline.timeline).at(-1)).toBe('completed');
    expect(ordered(pipeline.timeline)).toBe(true);

    const regions = pipeline.regionInstances.map(
      (child) => engine.status(child)!.customStatus as RegionStatus,
    );
    const east = regions.find((s) => s.region === 'eastus')!;
    expect(stages(east.timeline)).toEqual([
      'replicating',
      'retrying',
      'replicating',
      'replicated',
      'creating-pools',
      'retiring',
      'done',
    ]);
    expect(ordered(east.timeline)).toBe(true);
    // Replication took its scripted hour twice over (a failed attempt, then a full one).
    const replicated = Date.parse(east.timeline!.find((m) => m.stage === 'replicated')!.at);
    expect(replicated - Date.parse(east.timeline![0]!.at)).toBeGreaterThanOrEqual(60 * 60_000);
    for (const region of regions) expect(stages(region.timeline).at(-1)).toBe('done');
  });

  it('shows the plan’s findings and, when preflight refuses the request, the findings that refused it', async () => {
    const { cloud, engine } = startScriptedEngine(VM);
    Object.assign(cloud.vms.get(VM.toLowerCase())!.facts, { extensions: ['CustomScript'] });
    const id = startPipeline(engine, request());
    const status = await engine.waitFor(id, ['Completed', 'Failed'], 50_000);
    expect(status.runtimeStatus).toBe('Failed');
    const pipeline = status.customStatus as PipelineStatus;
    expect(pipeline.findings?.map((f) => f.code)).toContain('VM_EXTENSIONS_INSTALLED');
    expect(pipeline.findings?.[0]?.message).toMatch(/CustomScript/);
    expect(stages(pipeline.timeline).at(-1)).toBe('failed');
  });
});

describe('markStage', () => {
  it('adds a mark only when the stage changes', () => {
    const state = { stage: 'replicating', timeline: undefined as StageMark[] | undefined };
    markStage(state, '2026-11-29T00:00:00.000Z');
    markStage(state, '2026-11-29T00:01:00.000Z');
    state.stage = 'replicated';
    markStage(state, '2026-11-29T00:02:00.000Z');
    expect(state.timeline).toEqual([
      { stage: 'replicating', at: '2026-11-29T00:00:00.000Z' },
      { stage: 'replicated', at: '2026-11-29T00:02:00.000Z' },
    ]);
  });

  it('keeps the first mark and the latest ones: a region retrying for days stays within the status budget', () => {
    const state = {
      region: 'westeurope',
      stage: 'replicating' as RegionStatus['stage'],
      replication: { state: 'Failed', progress: 10, attempts: 500 },
      pools: [],
      updatedAt: '2026-11-29T00:00:00.000Z',
      timeline: undefined as StageMark[] | undefined,
    };
    for (let i = 0; i < 1_000; i++) {
      state.stage = i % 2 ? 'retrying' : 'replicating';
      markStage(state, new Date(Date.UTC(2026, 10, 29, 0, i)).toISOString());
    }
    expect(state.timeline).toHaveLength(TIMELINE_LIMIT);
    expect(state.timeline![0]).toEqual({ stage: 'replicating', at: '2026-11-29T00:00:00.000Z' });
    expect(state.timeline!.at(-1)!.at).toBe(new Date(Date.UTC(2026, 10, 29, 0, 999)).toISOString());
    expect(statusBytes(regionStatus(state))).toBeLessThanOrEqual(STATUS_BUDGET_BYTES);
  });
});
