import { planRefresh, readWatchedVersions } from '../../../src/triggers/refresh';
import { REQUEST_ID_PATTERN } from '../../../src/domain/buildRequest';
import { factoryConfigSchema } from '../../../src/domain/factoryConfig';
import { FakeWorld } from '../../helpers/fakes';
import { GALLERY, watchingFactory } from '../../helpers/factory';
import { SUB_A } from '../../helpers/requests';

/** Refresh builds' requestIds name one watched definition each, at any length (issue #16 ledger item 7). */
const refresh = {
  every: 'P7D',
  source: {
    type: 'virtualMachine',
    id: `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`,
  },
};

/** The same definition name watched in each gallery given (each with its own identifier). */
function factoryOf(galleries: string[], definition: string) {
  const base = watchingFactory(refresh);
  const watched = base.images[0]!;
  return factoryConfigSchema.parse({
    images: galleries.map((galleryId, i) => ({
      ...watched,
      image: {
        ...watched.image,
        galleryId,
        definition,
        identifier: { ...watched.image.identifier, sku: `s${i}` },
      },
    })),
  });
}

async function requestIds(galleries: string[], definition: string) {
  const factory = factoryOf(galleries, definition);
  const plan = planRefresh(factory, await readWatchedVersions(factory, new FakeWorld().gallery), new Date());
  return plan.builds.map((b) => b.requestId);
}

describe('refresh requestIds', () => {
  it('differ for one definition name in two galleries', async () => {
    const ids = await requestIds([GALLERY, GALLERY.replace('galHpcImages', 'galOther')], 'ubuntu2204-render');
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(REQUEST_ID_PATTERN);
  });

  it('differ, and stay valid, at the maximum lengths of gallery and definition names', async () => {
    const longGallery = (c: string) =>
      `/subscriptions/${SUB_A}/resourceGroups/${'r'.repeat(90)}/providers/Microsoft.Compute/galleries/${c.repeat(80)}`;
    const ids = await requestIds([longGallery('a'), longGallery('b')], `d${'x'.repeat(79)}`);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) {
      expect(id).toMatch(REQUEST_ID_PATTERN);
      expect(id.length).toBeLessThanOrEqual(100);
    }
  });
});
