import { startTestWorld, type TestWorld } from '../../helpers/world';
import { exampleInput } from '../../helpers/requests';
import { readScenario } from '../../../src/local/simulator/scenario';
import { pipelineInstanceId } from '../../../src/domain/pipeline';
import { GALLERY_ID } from '../../helpers/simulator';

jest.setTimeout(180_000);

/**
 * The whole pipeline (embedded host + simulator + broker + Azurite) on the cross-region-build-vm
 * scenario: the build VM is in North Europe, the gallery already exists in West Europe. Azure creates
 * a version only from sources in its own region, so the snapshots must be copied across first.
 */
let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ scenario: readScenario('cross-region-build-vm') });
  await world.startHost();
});
afterAll(() => world?.stop());

const ourSnapshots = () =>
  Object.values(world.simulator.world.state.resources).filter(
    (r) => r.type === 'microsoft.compute/snapshots' && r.name.startsWith('bif-'),
  );

async function build(version: string, deleteIntermediates: boolean) {
  const input = exampleInput('one-region-small') as Record<string, any>;
  input.requestId = `cross-region-${version.replace(/\./g, '-')}`;
  input.image.version = version;
  input.pools[0].poolId = `render-${version.replace(/\./g, '-')}`;
  input.retention = { ...input.retention, deleteIntermediates };
  await world.enqueue(JSON.stringify(input));
  const status = await world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 150_000);
  return { requestId: input.requestId as string, status };
}

describe('build VM in another region than the gallery', () => {
  it('snapshots incrementally in the VM region, copies them with CopyStart, and builds the version from the copies', async () => {
    const { requestId, status } = await build('1.4.0', false);
    // On failure, show why (the pipeline's output names the stage and Azure's answer).
    expect(status.runtimeStatus === 'Completed' ? 'Completed' : status.output).toBe('Completed');

    const snapshots = ourSnapshots().filter((s) => s.name.startsWith(`bif-${requestId}`));
    const sources = snapshots.filter((s) => s.location === 'northeurope');
    const copies = snapshots.filter((s) => s.location === 'westeurope');
    expect(sources).toHaveLength(2); // OS + data disk
    expect(copies).toHaveLength(2);
    for (const s of sources)
      expect(s.properties).toMatchObject({ incremental: true, creationData: { createOption: 'Copy' } });
    for (const c of copies) {
      expect(c.properties).toMatchObject({ incremental: true, creationData: { createOption: 'CopyStart' } });
      expect(sources.map((s) => s.id.toLowerCase())).toContain(
        String((c.properties.creationData as Record<string, unknown>).sourceResourceId).toLowerCase(),
      );
      expect(c.tags?.['bif-request']).toBe(requestId);
    }

    const version = world.simulator.world.resource(`${GALLERY_ID}/images/ubuntu2204-render/versions/1.4.0`)!;
    expect(version.location).toBe('westeurope');
    const storage = version.properties.storageProfile as Record<string, any>;
    const used = [storage.osDiskImage.source.id, ...storage.dataDiskImages.map((d: any) => d.source.id)];
    expect(used.map((id: string) => id.toLowerCase()).sort()).toEqual(
      copies.map((c) => c.id.toLowerCase()).sort(),
    );
  });

  it('deletes the copies with the snapshots when intermediates are not kept', async () => {
    const { requestId, status } = await build('1.5.0', true);
    expect(status.runtimeStatus === 'Completed' ? 'Completed' : status.output).toBe('Completed');
    const deletePaths = world.simulator.recorder
      .since(0)
      .filter((r) => r.method === 'DELETE' && r.path.includes(`bif-${requestId}`))
      .map((r) => r.path.split('/').at(-1)!.split('?')[0]);
    expect(deletePaths.sort()).toEqual([
      `bif-${requestId}-data0`,
      `bif-${requestId}-data0-westeurope`,
      `bif-${requestId}-os`,
      `bif-${requestId}-os-westeurope`,
    ]);
  });
});
