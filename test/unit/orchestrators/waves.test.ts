import type { DurableEngine } from '../../../src/local/host/durable/engine';
import { APPROVAL_EVENT } from '../../../src/domain/cutover/waves';
import { startScriptedEngine, stopScriptedEngines, type ScriptedCloud } from '../../helpers/scriptedCloud';
import { BUILD_VM as VM, newPoolsRequest, startPipeline } from '../../helpers/pipelineRuns';

/**
 * Waves through the real orchestrators on the embedded engine (real durable-functions replay, the
 * engine's determinism check), activities over a scripted cloud on a fast virtual clock.
 */
jest.setTimeout(60_000);
afterEach(stopScriptedEngines);

const start = (engine: DurableEngine, waves: unknown[]) =>
  startPipeline(
    engine,
    newPoolsRequest((input) => {
      input.waves = waves;
    }),
  );

const waveEvents = (cloud: ScriptedCloud) =>
  cloud.published
    .filter((e) => e.type.includes('.Wave.'))
    .map((e) => `${e.type.split('.').at(-1)} ${(e.data as { wave: number }).wave}`);

describe('waves on the embedded engine', () => {
  it('cuts wave 2 over only after wave 1 passed and soaked, even when its regions replicated first; an early approval is kept', async () => {
    const { cloud, engine } = startScriptedEngine(VM);
    cloud.regionScripts = {
      westeurope: { minutes: 60 },
      northeurope: { minutes: 5 },
      eastus: { minutes: 5 },
      southeastasia: { minutes: 5 },
    };
    const id = start(engine, [
      { regions: ['westeurope'], soakMinutes: 90 },
      { regions: ['eastus', 'southeastasia'], approval: true },
    ]);
    // Raised before the pipeline waits for it (before the version even exists): Durable keeps it.
    expect(engine.raiseEvent(id, APPROVAL_EVENT, { wave: 2, approvedBy: 'early-bird' })).toBe(true);
    const status = await engine.waitFor(id, ['Completed', 'Failed'], 50_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(waveEvents(cloud)).toEqual([
      'Started 1',
      'Passed 1',
      'AwaitingApproval 2',
      'Approved 2',
      'Started 2',
      'Passed 2',
    ]);
    const passed = cloud.published.find((e) => e.type.endsWith('Wave.Passed'))!;
    const soakUntil = Date.parse((passed.data as { soakUntil: string }).soakUntil);
    expect(cloud.regionCompletedAt.eastus!).toBeLessThan(cloud.poolCreatedAt['render-weu-next']!);
    expect(cloud.poolCreatedAt['render-eus-next']!).toBeGreaterThanOrEqual(soakUntil);
    expect(cloud.poolCreatedAt['render-sea-next']!).toBeGreaterThanOrEqual(soakUntil);
    expect((status.customStatus as { waves: { state: string; approvedBy?: string }[] }).waves).toMatchObject([
      { state: 'passed' },
      { state: 'passed', approvedBy: 'early-bird' },
    ]);
  });

  it('fails a wave whose approval does not come in time, names it, and cuts none of its pools over', async () => {
    const { cloud, engine } = startScriptedEngine(VM);
    const id = start(engine, [
      { regions: ['westeurope'] },
      { regions: ['eastus'], approval: true, approvalTimeoutMinutes: 120 },
      { regions: ['southeastasia'] },
    ]);
    const status = await engine.waitFor(id, ['Completed', 'Failed'], 50_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toMatch(
      /failed at rollout: wave 2 \(eastus\) failed: no approval came within 120 minutes \(waves\[1\]\.approvalTimeoutMinutes\).*wave\(s\) 3 were not cut over/,
    );
    expect(Object.keys(cloud.poolCreatedAt)).toEqual(['render-weu-next']);
    expect(waveEvents(cloud)).toEqual(['Started 1', 'Passed 1', 'AwaitingApproval 2', 'Failed 2']);
    // The held regions still replicated (Region.Replicated), and the pipeline says so.
    const replicated = cloud.published
      .filter((e) => e.type.endsWith('Region.Replicated'))
      .map((e) => (e.data as { region: string }).region);
    expect(replicated).toEqual(expect.arrayContaining(['eastus', 'southeastasia']));
  });

  it('books a repeated early approval once: the copy approves no other wave (it is dropped)', async () => {
    const { cloud, engine } = startScriptedEngine(VM);
    const id = start(engine, [
      { regions: ['westeurope', 'northeurope'], approval: true },
      { regions: ['eastus', 'southeastasia'], approval: true, approvalTimeoutMinutes: 60 },
    ]);
    // The approve route cannot see an approval the pipeline has not read yet (docs/cutover.md): both 202.
    expect(engine.raiseEvent(id, APPROVAL_EVENT, { wave: 1, approvedBy: 'a' })).toBe(true);
    expect(engine.raiseEvent(id, APPROVAL_EVENT, { wave: 1, approvedBy: 'b' })).toBe(true);
    const status = await engine.waitFor(id, ['Completed', 'Failed'], 50_000);
    expect(waveEvents(cloud)).toEqual([
      'AwaitingApproval 1',
      'Approved 1',
      'Started 1',
      'Passed 1',
      'AwaitingApproval 2',
      'Failed 2',
    ]);
    expect(status.runtimeStatus).toBe('Failed');
    expect((status.customStatus as { waves: { approvedBy?: string }[] }).waves[0]!.approvedBy).toBe('a');
  });
});
