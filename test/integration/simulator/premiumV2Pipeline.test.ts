import { startTestWorld, type TestWorld } from '../../helpers/world';
import { exampleInput } from '../../helpers/requests';
import { readScenario } from '../../../src/local/simulator/scenario';
import { pipelineInstanceId } from '../../../src/domain/pipeline';

jest.setTimeout(180_000);

/**
 * The whole pipeline on the premium-v2-data-disk scenario. Azure takes only incremental snapshots of a
 * Premium SSD v2 disk, and Premium SSD v2 disks can't be used with Azure Compute Gallery: the build must
 * stop at preflight with a finding, not half-way at the version.
 */
let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ scenario: readScenario('premium-v2-data-disk') });
  await world.startHost();
});
afterAll(() => world?.stop());

it('refuses at preflight a VM with a PremiumV2_LRS data disk, before anything is created', async () => {
  const input = exampleInput('one-region-small') as Record<string, any>;
  await world.enqueue(JSON.stringify(input));
  const status = await world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 150_000);
  expect(status.runtimeStatus).toBe('Failed');
  expect(String(status.output)).toMatch(/failed at preflight: .*DISK_SKU_NOT_SUPPORTED at source/);
  const created = Object.values(world.simulator.world.state.resources).filter(
    (r) =>
      ['microsoft.compute/snapshots', 'microsoft.compute/galleries/images/versions'].includes(r.type) &&
      r.name.startsWith('bif-'),
  );
  expect(created).toEqual([]);
});
