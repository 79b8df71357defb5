import { startTestWorld, type TestWorld } from '../../helpers/world';
import { exampleInput } from '../../helpers/requests';
import { readScenario } from '../../../src/local/simulator/scenario';
import { pipelineInstanceId } from '../../../src/domain/pipeline';
import { GALLERY_ID } from '../../helpers/simulator';

jest.setTimeout(180_000);

/**
 * The whole pipeline on the premium-v2-data-disk scenario: Azure takes only incremental snapshots of a
 * Premium SSD v2 disk, and such a snapshot is usable only once its background copy reaches 100 %.
 */
let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ scenario: readScenario('premium-v2-data-disk') });
  await world.startHost();
});
afterAll(() => world?.stop());

it('builds from a VM with a PremiumV2_LRS data disk: incremental snapshots, version once their copy is done', async () => {
  const input = exampleInput('one-region-small') as Record<string, any>;
  input.retention = { ...input.retention, deleteIntermediates: false };
  await world.enqueue(JSON.stringify(input));
  const status = await world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 150_000);
  expect(status.runtimeStatus === 'Completed' ? 'Completed' : status.output).toBe('Completed');

  const data = world.simulator.world.resource(
    `/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-render-build/providers/Microsoft.Compute/snapshots/bif-${input.requestId}-data0`,
  )!;
  expect(data.properties.incremental).toBe(true);
  const version = world.simulator.world.resource(`${GALLERY_ID}/images/ubuntu2204-render/versions/1.4.0`)!;
  const storage = version.properties.storageProfile as Record<string, any>;
  expect(storage.dataDiskImages.map((d: any) => d.source.id.toLowerCase())).toEqual([data.id.toLowerCase()]);
});
