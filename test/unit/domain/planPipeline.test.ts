import { planPipeline, type PipelineFacts } from '../../../src/domain/planning/pipelinePlan';
import { planFollowerRollout } from '../../../src/domain/planning/followers';
import {
  OWNER_TAG,
  SOURCE_TAG,
  sourceFingerprint,
  DEFAULT_ORCHESTRATION_SETTINGS,
} from '../../../src/domain/pipeline';
import { exampleRequest, SUB_A } from '../../helpers/requests';
import { watchingFactory } from '../../helpers/factory';

/** The planning core with plain facts: no ports, no fakes, every decision visible in the data. */
const RG_BUILD = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build`;
const VM = `${RG_BUILD}/providers/Microsoft.Compute/virtualMachines/vm-render-build`;
const DISK = (name: string) => `${RG_BUILD}/providers/Microsoft.Compute/disks/${name}`;

function facts(edit: Partial<PipelineFacts> = {}): PipelineFacts {
  return {
    now: new Date('2026-11-28T00:00:00Z'),
    instanceId: 'bif-render-small',
    source: {
      found: true,
      facts: { osType: 'Linux', osState: 'Generalized', hyperVGeneration: 'V2', managedDisks: true },
      location: 'westeurope',
      vm: {
        id: VM,
        disks: [
          { role: 'os', diskId: DISK('os') },
          { role: 'data', lun: 0, diskId: DISK('data0') },
        ],
      },
    },
    galleryLocation: 'westeurope',
    versionNames: ['1.3.0'],
    ...edit,
  };
}

describe('planPipeline (pure)', () => {
  it('plans a VM build: the version asked for, snapshots named after the request, resolved pool specs', () => {
    const plan = planPipeline(exampleRequest(), facts());
    expect(plan.ok).toBe(true);
    expect(plan).toMatchObject({
      version: '1.4.0',
      versionId: expect.stringMatching(/\/images\/ubuntu2204-render\/versions\/1\.4\.0$/),
      galleryLocation: 'westeurope',
      galleryExists: true,
      targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
      capacityByRegion: { westeurope: 20 },
    });
    expect(plan.disks).toEqual([
      {
        role: 'os',
        diskId: DISK('os'),
        snapshotId: `${RG_BUILD}/providers/Microsoft.Compute/snapshots/bif-render-small-2026-11-28-os`,
      },
      {
        role: 'data',
        lun: 0,
        diskId: DISK('data0'),
        snapshotId: `${RG_BUILD}/providers/Microsoft.Compute/snapshots/bif-render-small-2026-11-28-data0`,
      },
    ]);
    expect(plan.pools[0]).toMatchObject({
      poolId: 'render-1-4-0',
      replaces: 'render-1-3-0',
      spec: {
        imageVersionId: plan.versionId,
        resizeTimeout: 'PT15M',
        nodeAgentSkuId: 'batch.node.ubuntu 22.04',
      },
    });
  });

  it('takes the leased version over "auto", and the next patch for "auto" without a lease', () => {
    const auto = exampleRequest('one-region-small', (i) => (i.image.version = 'auto'));
    expect(planPipeline(auto, facts()).version).toBe('1.3.1');
    expect(planPipeline(auto, facts({ leasedVersion: '1.3.2' })).version).toBe('1.3.2');
  });

  it('copies the disks into the gallery region, and makes snapshots where the working group says', () => {
    const working = `/subscriptions/${SUB_A}/resourceGroups/rg-work`;
    const plan = planPipeline(
      exampleRequest(),
      facts({ galleryLocation: 'northeurope', workingResourceGroupId: working }),
    );
    expect(plan.disks.map((d) => d.snapshotId)).toEqual([
      expect.stringMatching(/^\/subscriptions\/[^/]+\/resourceGroups\/rg-work\/.*-os$/),
      expect.stringMatching(/^\/subscriptions\/[^/]+\/resourceGroups\/rg-work\/.*-data0$/),
    ]);
    expect(plan.disks.map((d) => d.copyId)).toEqual([
      expect.stringMatching(/-os-northeurope$/),
      expect.stringMatching(/-data0-northeurope$/),
    ]);
    // The gallery's region is always a target region, besides the pools'.
    expect(plan.targetRegions.map((r) => r.name).sort()).toEqual(['northeurope', 'westeurope']);
  });

  it('a missing source is one finding, not also an unknown gallery region', () => {
    const plan = planPipeline(
      exampleRequest(),
      facts({ source: { found: false, id: VM, what: 'virtual machine' }, galleryLocation: undefined }),
    );
    expect(plan.ok).toBe(false);
    expect(plan.findings.map((f) => f.code)).toContain('SOURCE_NOT_FOUND');
    expect(plan.findings.map((f) => f.code)).not.toContain('GALLERY_LOCATION_UNKNOWN');
    expect(plan.disks).toEqual([]);
  });

  it.each<[string, Record<string, string>, boolean]>([
    ['made by someone else', { [OWNER_TAG]: 'bif-other' }, true],
    ['made by this instance from this source', { [OWNER_TAG]: 'bif-render-small' }, false],
    [
      'made by this instance from another source',
      { [OWNER_TAG]: 'bif-render-small', [SOURCE_TAG]: 'x' },
      true,
    ],
  ])('an existing version %s: clash = %p', (_what, tags, clash) => {
    const request = exampleRequest();
    const existing = { tags: { ...tags }, targetRegions: [] };
    if (!clash && !tags[SOURCE_TAG]) existing.tags[SOURCE_TAG] = sourceFingerprint(request.source);
    const plan = planPipeline(request, facts({ versionNames: ['1.4.0'], existingVersion: existing }));
    expect(plan.findings.some((f) => f.code === 'IMAGE_VERSION_EXISTS')).toBe(clash);
  });

  it('rolling out an existing version keeps its regions and never lowers a replica count', () => {
    const request = exampleRequest('one-region-small', (i) => {
      i.source = { type: 'galleryImageVersion', id: `${i.image.galleryId}/images/d/versions/1.0.0` };
    });
    const plan = planPipeline(
      request,
      facts({
        source: { found: true, facts: { osState: 'Generalized' } },
        existingVersion: {
          tags: {},
          targetRegions: [
            { name: 'westeurope', replicaCount: 5, storageAccountType: 'Premium_LRS' },
            { name: 'eastus', replicaCount: 2, storageAccountType: 'Standard_LRS' },
          ],
        },
      }),
    );
    expect(plan.versionId).toBe(request.source.type === 'galleryImageVersion' && request.source.id);
    expect(plan.targetRegions).toEqual([
      { name: 'westeurope', replicaCount: 5, storageAccountType: 'Premium_LRS' },
      { name: 'eastus', replicaCount: 2, storageAccountType: 'Standard_LRS' },
    ]);
  });
});

describe('follower rollouts plan with planPipeline', () => {
  it('gives each follower a pool of the new version that replaces the previous version’s', () => {
    const watched = watchingFactory().images[0]!;
    const versionId = `${watched.image.galleryId}/images/${watched.image.definition}/versions/2.1.0`;
    const input = planFollowerRollout(
      watched,
      versionId,
      {
        now: new Date('2026-11-28T00:00:00Z'),
        versionNames: ['1.9.0', '2.0.0', '2.1.0'],
        existingTargets: [],
      },
      DEFAULT_ORCHESTRATION_SETTINGS,
    );
    expect(input.pools).toEqual([
      expect.objectContaining({
        poolId: 'render-2-1-0',
        replaces: 'render-2-0-0',
        spec: expect.objectContaining({
          imageVersionId: versionId,
          // 3000 nodes: 15 minutes per 1000, the same rule a build's pools follow.
          resizeTimeout: 'PT45M',
          targetDedicatedNodes: 3000,
        }),
      }),
    ]);
  });
});
