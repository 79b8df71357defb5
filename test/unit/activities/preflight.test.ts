import { preflight } from '../../../src/activities/preflight';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { demoVm, FakeWorld } from '../../helpers/fakes';
import { exampleInput, SUB_A } from '../../helpers/requests';
import { OWNER_TAG, SOURCE_TAG, sourceFingerprint } from '../../../src/domain/pipeline';
import { PermanentError } from '../../../src/domain/errors';

const VM = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`;

function world(): FakeWorld {
  const w = new FakeWorld();
  w.vms.set(VM.toLowerCase(), demoVm(VM));
  return w;
}

const request = (edit?: (i: Record<string, any>) => void) => {
  const input = exampleInput('three-regions-3000-nodes') as Record<string, any>;
  edit?.(input);
  return buildRequestSchema.parse(input);
};

describe('preflight activity (in-memory ports)', () => {
  it('plans a valid request: auto version, gallery region, snapshot names, pool specs', async () => {
    const w = world();
    const result = await preflight(w.services(), {
      request: request(),
      instanceId: 'bif-render-global-2026-11-28',
    });
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result).toMatchObject({
      ok: true,
      version: '1.0.0',
      galleryLocation: 'westeurope',
      galleryExists: false,
      sourceLocation: 'westeurope',
    });
    expect(result.versionId).toMatch(
      /galleries\/galHpcImages\/images\/ubuntu2204-render\/versions\/1\.0\.0$/,
    );
    expect(result.targetRegions.map((r) => [r.name, r.replicaCount])).toEqual([
      ['westeurope', 12],
      ['eastus', 4],
      ['southeastasia', 1],
      ['northeurope', 1],
    ]);
    expect(result.disks.map((d) => d.snapshotId.split('/').at(-1))).toEqual([
      'bif-render-global-2026-11-28-os',
      'bif-render-global-2026-11-28-data0',
    ]);
    expect(result.pools[0]!.spec).toMatchObject({
      poolId: 'render-weu-next',
      resizeTimeout: 'PT45M',
      imageVersionId: result.versionId,
      taskSlotsPerNode: 4,
    });
    expect(result.pools[0]!.replaces).toBe('render-weu-current');
    // One supported-images call per account, no provider lookup (same subscription everywhere).
    expect(w.calls.filter((c) => c.startsWith('listSupportedImages'))).toHaveLength(3);
    expect(w.calls.some((c) => c.startsWith('batchProviderState'))).toBe(false);
  });

  it('reports every source problem at once', async () => {
    const w = world();
    Object.assign(w.vms.get(VM.toLowerCase())!.facts, {
      osState: 'Specialized',
      osDiskEncrypted: true,
      extensions: ['CustomScript'],
    });
    const result = await preflight(w.services(), { request: request(), instanceId: 'x' });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['SOURCE_NOT_GENERALIZED', 'OS_DISK_ENCRYPTED', 'VM_EXTENSIONS_INSTALLED']),
    );
  });

  it('finds a missing source (SOURCE_NOT_FOUND) instead of failing', async () => {
    const w = new FakeWorld();
    const result = await preflight(w.services(), { request: request(), instanceId: 'x' });
    expect(result.ok).toBe(false);
    expect(result.findings[0]).toMatchObject({ code: 'SOURCE_NOT_FOUND', path: 'source' });
    expect(result.findings[0]!.message).toMatch(/Reader/);
  });

  it('finds an explicit version that exists already (IMAGE_VERSION_EXISTS), unless this build made it', async () => {
    const w = world();
    const r = request((i) => (i.image.version = '1.4.0'));
    w.galleries.set(r.image.galleryId.toLowerCase(), 'westeurope');
    await w.gallery.beginImageVersion({
      id: `${r.image.galleryId}/images/ubuntu2204-render/versions/1.4.0`,
      location: 'westeurope',
      source: { managedImageId: 'x' },
      targetRegions: [],
      excludeFromLatest: false,
      tags: { [OWNER_TAG]: 'someone-else' },
    });
    const result = await preflight(w.services(), { request: r, instanceId: 'bif-mine' });
    expect(result.findings.find((f) => f.code === 'IMAGE_VERSION_EXISTS')).toMatchObject({
      path: 'image.version',
      severity: 'error',
    });
    const retried = await preflight(w.services(), { request: r, instanceId: 'someone-else' });
    expect(retried.findings.some((f) => f.code === 'IMAGE_VERSION_EXISTS')).toBe(false);
  });

  it('refuses to adopt the version an earlier run of this request made from another source', async () => {
    const w = world();
    const r = request((i) => (i.image.version = '1.5.0'));
    w.galleries.set(r.image.galleryId.toLowerCase(), 'westeurope');
    const earlier = request((i) => (i.source = { type: 'virtualMachine', id: `${i.source.id}-old` }));
    await w.gallery.beginImageVersion({
      id: `${r.image.galleryId}/images/ubuntu2204-render/versions/1.5.0`,
      location: 'westeurope',
      source: { managedImageId: 'x' },
      targetRegions: [],
      excludeFromLatest: false,
      tags: { [OWNER_TAG]: 'bif-mine', [SOURCE_TAG]: sourceFingerprint(earlier.source) },
    });
    const result = await preflight(w.services(), { request: r, instanceId: 'bif-mine' });
    expect(result.findings.find((f) => f.code === 'IMAGE_VERSION_EXISTS')?.message).toMatch(
      /earlier run of this request from another source/,
    );
    // A plain retry of the same request (same source) adopts its own version.
    const same = request((i) => (i.image.version = '1.6.0'));
    await w.gallery.beginImageVersion({
      id: `${r.image.galleryId}/images/ubuntu2204-render/versions/1.6.0`,
      location: 'westeurope',
      source: { managedImageId: 'x' },
      targetRegions: [],
      excludeFromLatest: false,
      tags: { [OWNER_TAG]: 'bif-mine', [SOURCE_TAG]: sourceFingerprint(same.source) },
    });
    const retried = await preflight(w.services(), { request: same, instanceId: 'bif-mine' });
    expect(retried.findings.some((f) => f.code === 'IMAGE_VERSION_EXISTS')).toBe(false);
  });

  it('resolves "auto" to the next patch after the newest existing version', async () => {
    const w = world();
    const r = request();
    w.galleries.set(r.image.galleryId.toLowerCase(), 'northeurope');
    for (const v of ['1.2.9', '1.10.0']) {
      await w.gallery.beginImageVersion({
        id: `${r.image.galleryId}/images/ubuntu2204-render/versions/${v}`,
        location: 'northeurope',
        source: { managedImageId: 'x' },
        targetRegions: [],
        excludeFromLatest: false,
      });
    }
    const result = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(result.version).toBe('1.10.1');
    expect(result.galleryLocation).toBe('northeurope');
  });

  it('checks Microsoft.Batch registration when an account is in another subscription', async () => {
    const w = world();
    w.providerState = 'NotRegistered';
    const r = request((i) => {
      i.pools[2].account.id = i.pools[2].account.id.replace(SUB_A, '11111111-2222-4333-8444-555555555555');
    });
    const result = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(result.findings.find((f) => f.code === 'BATCH_PROVIDER_NOT_REGISTERED')?.path).toBe(
      'pools[2].account.id',
    );
  });

  it('plans incremental-snapshot copies into the gallery region when the VM lives elsewhere', async () => {
    const w = world();
    const r = request();
    w.vms.get(VM.toLowerCase())!.location = 'northeurope';
    w.galleries.set(r.image.galleryId.toLowerCase(), 'westeurope');
    const result = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(result.ok).toBe(true);
    expect(result).toMatchObject({ sourceLocation: 'northeurope', galleryLocation: 'westeurope' });
    expect(result.disks.map((d) => [d.snapshotId.split('/').at(-1), d.copyId?.split('/').at(-1)])).toEqual([
      ['bif-render-global-2026-11-28-os', 'bif-render-global-2026-11-28-os-westeurope'],
      ['bif-render-global-2026-11-28-data0', 'bif-render-global-2026-11-28-data0-westeurope'],
    ]);
    // The longest requestIds: every copy name distinct and within Azure's 80 characters (no blind cut).
    w.vms.get(VM.toLowerCase())!.location = 'northeurope';
    const names = new Set<string>();
    for (const tail of ['a', 'b']) {
      const long = request((i) => (i.requestId = `r${'x'.repeat(98)}${tail}`));
      const planned = await preflight(w.services(), { request: long, instanceId: 'x' });
      for (const d of planned.disks) names.add(d.copyId!.split('/').at(-1)!);
    }
    expect(names.size).toBe(4);
    expect([...names].every((n) => n.length <= 80)).toBe(true);
    // Same region: nothing to copy.
    w.vms.get(VM.toLowerCase())!.location = 'westeurope';
    const local = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(local.disks.every((d) => d.copyId === undefined)).toBe(true);
  });

  it('refuses a managed image or snapshots in another region than the gallery (SOURCE_REGION_MISMATCH)', async () => {
    const w = world();
    const imageId = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/images/img-render`;
    w.managedImages.set(imageId.toLowerCase(), 'northeurope');
    const r = request((i) => (i.source = { type: 'managedImage', id: imageId }));
    w.galleries.set(r.image.galleryId.toLowerCase(), 'westeurope');
    const result = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(result.ok).toBe(false);
    const f = result.findings.find((x) => x.code === 'SOURCE_REGION_MISMATCH');
    expect(f).toMatchObject({ path: 'source.id', severity: 'error' });
    expect(f!.message).toMatch(/northeurope .* westeurope/);
  });

  it('refuses a publisher/offer/sku another definition of the gallery already has (IMAGE_IDENTIFIER_TAKEN)', async () => {
    const w = world();
    const r = request();
    w.galleries.set(r.image.galleryId.toLowerCase(), 'westeurope');
    w.definitions.set(r.image.galleryId.toLowerCase(), [{ name: 'render-legacy', ...r.image.identifier }]);
    const result = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(result.ok).toBe(false);
    expect(result.findings.find((f) => f.code === 'IMAGE_IDENTIFIER_TAKEN')?.message).toMatch(
      /render-legacy/,
    );
  });

  it('reads the Trusted Launch source and the existing definition: a Standard definition is refused', async () => {
    const w = world();
    const r = request();
    w.vms.get(VM.toLowerCase())!.facts.security = { securityType: 'TrustedLaunch', architecture: 'x64' };
    w.galleries.set(r.image.galleryId.toLowerCase(), 'westeurope');
    w.definitions.set(r.image.galleryId.toLowerCase(), [
      { name: r.image.definition, ...r.image.identifier, securityType: 'Standard', architecture: 'x64' },
    ]);
    const result = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(result.ok).toBe(false);
    expect(result.findings.find((f) => f.code === 'DEFINITION_SECURITY_TYPE_MISMATCH')).toMatchObject({
      path: 'image.definition',
    });
  });

  it('carries what the definition and the pools need into the result', async () => {
    const w = world();
    w.vms.get(VM.toLowerCase())!.facts.security = {
      securityType: 'TrustedLaunch',
      uefiSettings: { secureBootEnabled: false, vTpmEnabled: true },
      architecture: 'x64',
    };
    const result = await preflight(w.services(), { request: request(), instanceId: 'x' });
    expect(result.ok).toBe(true);
    expect(result.image).toEqual({
      sourceSecurityType: 'TrustedLaunch',
      definitionSecurityType: 'TrustedLaunch',
      architecture: 'x64',
      poolSecurityProfile: {
        securityType: 'trustedLaunch',
        uefiSettings: { secureBootEnabled: false, vTpmEnabled: true },
      },
    });
  });

  it.each([
    ['TrustedLaunch', { securityType: 'trustedLaunch' }, undefined],
    ['ConfidentialVM', undefined, 'BATCH_CONFIDENTIAL_VM_UNSUPPORTED'],
  ] as const)(
    'rolls out an existing version by its definition: %s',
    async (securityType, poolProfile, code) => {
      const w = world();
      const r0 = request();
      const versionId = `${r0.image.galleryId}/images/${r0.image.definition}/versions/1.0.0`;
      const r = request((i) => (i.source = { type: 'galleryImageVersion', id: versionId }));
      w.galleries.set(r.image.galleryId.toLowerCase(), 'westeurope');
      w.definitions.set(r.image.galleryId.toLowerCase(), [
        { name: r.image.definition, ...r.image.identifier, securityType, architecture: 'x64' },
      ]);
      w.versions.set(versionId.toLowerCase(), {
        id: versionId,
        name: '1.0.0',
        excludeFromLatest: false,
        provisioningState: 'Succeeded',
        targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
        tags: {},
        regions: [{ region: 'westeurope', state: 'Completed', progress: 100 }],
      });
      const result = await preflight(w.services(), { request: r, instanceId: 'x' });
      expect(result.image?.definitionSecurityType).toBe(securityType);
      if (poolProfile) expect(result.image?.poolSecurityProfile).toMatchObject(poolProfile);
      expect(result.findings.some((f) => f.code === code)).toBe(code !== undefined);
    },
  );

  it.each(['UltraSSD_LRS', 'PremiumV2_LRS'])(
    'refuses a VM with a %s disk, which Azure Compute Gallery cannot use (DISK_SKU_NOT_SUPPORTED)',
    async (sku) => {
      const w = world();
      w.vms.get(VM.toLowerCase())!.dataDisks[0]!.sku = sku;
      const result = await preflight(w.services(), { request: request(), instanceId: 'x' });
      expect(result.ok).toBe(false);
      const f = result.findings.find((x) => x.code === 'DISK_SKU_NOT_SUPPORTED');
      expect(f).toMatchObject({ path: 'source', severity: 'error' });
      expect(f!.message).toContain(`data0 disk is`);
      expect(f!.message).toContain(sku);
    },
  );

  it('turns a 403 on the provider registration read into a warning, not a failed preflight', async () => {
    const w = world();
    w.providerState = new PermanentError(
      'Reading Microsoft.Batch registration in subscription x: Azure answered 403 AuthorizationFailed',
      'AuthorizationFailed',
    );
    const r = request((i) => {
      i.pools[2].account.id = i.pools[2].account.id.replace(SUB_A, '11111111-2222-4333-8444-555555555555');
    });
    const result = await preflight(w.services(), { request: r, instanceId: 'x' });
    expect(result.ok).toBe(true);
    expect(result.findings.find((f) => f.code === 'BATCH_PROVIDER_STATE_UNKNOWN')).toMatchObject({
      path: 'pools[2].account.id',
      severity: 'warning',
    });
    // Other failures of that read still fail the step (Durable retries transient ones).
    w.providerState = new PermanentError('boom', 'SubscriptionNotFound');
    await expect(preflight(w.services(), { request: r, instanceId: 'x' })).rejects.toThrow('boom');
  });
});
