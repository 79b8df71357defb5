import { preflight } from '../../../src/activities/preflight';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { FakeWorld } from '../../helpers/fakes';
import { exampleInput, SUB_A } from '../../helpers/requests';

const IMAGE = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/images/img-render`;

/** A managed-image source: its region is not read, so only the gallery itself can say where it is. */
function setup(galleryLocation?: string) {
  const w = new FakeWorld();
  w.provisioning.set(IMAGE.toLowerCase(), 'Succeeded');
  const input = exampleInput('three-regions-3000-nodes') as Record<string, any>;
  input.source = { type: 'managedImage', id: IMAGE };
  const request = buildRequestSchema.parse(input);
  if (galleryLocation) w.galleries.set(request.image.galleryId.toLowerCase(), galleryLocation);
  return { w, request };
}

describe('the gallery location at preflight', () => {
  it('is the existing gallery’s real location', async () => {
    const { w, request } = setup('northeurope');
    const result = await preflight(w.services(), { request, instanceId: 'bif-x' });
    expect(result.galleryLocation).toBe('northeurope');
    expect(result.findings.filter((f) => f.code === 'GALLERY_LOCATION_UNKNOWN')).toEqual([]);
  });

  it('fails clearly when the gallery does not exist and the source’s region is unknown', async () => {
    const { w, request } = setup();
    const result = await preflight(w.services(), { request, instanceId: 'bif-x' });
    expect(result.ok).toBe(false);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        code: 'GALLERY_LOCATION_UNKNOWN',
        path: 'image.galleryId',
        message: expect.stringMatching(/Create the gallery in the source's region first/),
      }),
    );
  });
});
