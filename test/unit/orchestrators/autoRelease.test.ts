import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { runActivity } from '../../../src/activities/result';
import { imageDefinitionId } from '../../../src/domain/factoryConfig';
import { startScriptedEngine, stopScriptedEngines } from '../../helpers/scriptedCloud';
import { exampleInput } from '../../helpers/requests';
import { BUILD_VM as VM, startPipeline } from '../../helpers/pipelineRuns';

/**
 * Issue #16, defence in depth: when the ledger hands an "auto" build a version someone else has made
 * (its record was lost, or a writer outside the factory took it), the build leases a new one instead of
 * failing, a bounded number of times.
 */
jest.setTimeout(60_000);
afterEach(stopScriptedEngines);

async function start(staleLists: number, foreign = ['1.0.0']) {
  const setup = startScriptedEngine(VM);
  const r = buildRequestSchema.parse({ ...exampleInput(), requestId: 'auto-clash' });
  r.image.version = 'auto';
  r.pools.forEach((p) => delete p.replaces);
  const definitionId = imageDefinitionId(r.image);
  // Someone else's versions, which the ledger does not see for the first `staleLists` lists.
  void setup.cloud.gallery.ensureGallery(r.image.galleryId, 'westeurope');
  for (const v of foreign)
    void setup.cloud.gallery.beginImageVersion({
      id: `${definitionId}/versions/${v}`,
      location: 'westeurope',
      source: { managedImageId: '/x' },
      targetRegions: [{ name: 'westeurope', replicaCount: 1 }],
      excludeFromLatest: false,
      tags: { 'bif-instance': 'someone-else' },
    } as never);
  let stale = staleLists;
  setup.engine.registerActivity('listVersionNames', () =>
    runActivity(async () =>
      stale-- > 0 ? [] : (await setup.cloud.gallery.listVersions(definitionId)).map((v) => v.name),
    ),
  );
  const id = startPipeline(setup.engine, r);
  return { cloud: setup.cloud, done: await setup.engine.waitFor(id, ['Completed', 'Failed'], 50_000) };
}

describe('an "auto" build handed a version someone else made', () => {
  it('leases the next one and completes on it', async () => {
    const { done } = await start(1);
    expect(`${done.runtimeStatus} ${JSON.stringify(done.output)?.slice(0, 300)}`).toMatch(/^Completed/);
    expect((done.customStatus as { version: string }).version).toBe('1.0.1');
  });

  it('gives up after 3 leases with a finding that says what happened', async () => {
    const { cloud, done } = await start(99, ['1.0.0', '1.0.1', '1.0.2']);
    expect(done.runtimeStatus).toBe('Failed');
    const failed = cloud.published.find((e) => e.type.endsWith('Pipeline.Failed'));
    expect(JSON.stringify(failed?.data)).toMatch(/was given 1\.0\.0, 1\.0\.1, 1\.0\.2 in turn.*3 tries/);
  });
});
