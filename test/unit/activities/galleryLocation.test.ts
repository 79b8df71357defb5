import { preflight } from '../../../src/activities/preflight';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { FakeWorld } from '../../helpers/fakes';
import { exampleInput, SUB_A } from '../../helpers/requests';

const IMAGE = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/images/img-render`;

/** A managed-image source: its region is read; where no region can be read, only the gallery can say. */
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

  it('is the managed image’s region when the gallery is still to be made', async () => {
    const { w, request } = setup();
    w.managedImages.set(IMAGE.toLowerCase(), 'westeurope');
    const result = await preflight(w.services(), { request, instanceId: 'bif-x' });
    expect(result.galleryLocation).toBe('westeurope');
    expect(result.findings.filter((f) => f.code === 'GALLERY_LOCATION_UNKNOWN')).toEqual([]);
  });

  it('fails clearly when the gallery does not exist and the source’s region is unknown', async () => {
    const { w, request: base } = setup();
    // An existing version as the source: its region is not read, and the named gallery does not exist.
    const versionId = `${base.image.galleryId}-elsewhere/images/d/versions/1.0.0`;
    w.versions.set(versionId.toLowerCase(), {
      id: versionId,
      name: '1.0.0',
      publishedDate: '2026-11-01T00:00:00Z',
      excludeFromLatest: false,
      provisioningState: 'Succeeded',
      targetRegions: [],
      tags: {},
      regions: [],
    });
    const request = { ...base, source: { type: 'galleryImageVersion' as const, id: versionId } };
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
