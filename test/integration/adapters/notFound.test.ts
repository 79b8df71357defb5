import { startSimulator, type RunningSimulator } from '../../../src/local/simulator/simulator';
import { adaptersFor, GALLERY_ID, RG, testScenario } from '../../helpers/simulator';
import { NotFoundError, PermanentError } from '../../../src/domain/errors';
import { planRefresh, readWatchedVersions } from '../../../src/triggers/refresh';
import { watchingFactory } from '../../helpers/factory';

/**
 * One convention for "not there": the adapters turn Azure's 404 (whatever its code) into a
 * NotFoundError once, and a definition still to be made lists no versions. Over the wire with the
 * real SDK clients against the simulator, which answers 404s the way ARM does.
 */
let sim: RunningSimulator;
let adapters: ReturnType<typeof adaptersFor>;
beforeAll(async () => {
  sim = await startSimulator({ speed: 1, scenario: testScenario() });
  adapters = adaptersFor(sim);
});
afterAll(() => sim.stop());

const MISSING_VM = `${RG('rg-render-build')}/providers/Microsoft.Compute/virtualMachines/vm-never-made`;

describe('not found, said once by the adapters', () => {
  it('a missing VM is a NotFoundError (permanent), whatever code ARM chose', async () => {
    const error = await adapters.compute.inspectVirtualMachine(MISSING_VM).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as NotFoundError).message).toMatch(/404/);
  });

  it('a definition that does not exist yet lists no versions', async () => {
    await expect(adapters.gallery.listVersions(`${GALLERY_ID}/images/never-made`)).resolves.toEqual([]);
  });

  it('the refresh timer builds 1.0.0 of a watched definition that does not exist yet', async () => {
    const factory = watchingFactory({
      every: 'P7D',
      source: { type: 'managedImage', id: `${RG('rg-render-build')}/providers/Microsoft.Compute/images/img` },
    });
    const definition = `${GALLERY_ID}/images/never-made`;
    factory.images[0]!.image.galleryId = GALLERY_ID;
    factory.images[0]!.image.definition = 'never-made';
    const versions = await readWatchedVersions(factory, adapters.gallery);
    expect(versions).toEqual({ [definition]: { versions: [] } });
    const plan = planRefresh(factory, versions, new Date());
    expect(plan.failures).toEqual([]);
    expect(plan.builds.map((b) => b.image.version)).toEqual(['1.0.0']);
  });
});
