import {
  DEFINITION_SECURITY_TYPES,
  SECURITY_RULES,
  definitionAccepts,
  definitionSecurityTypeFor,
  definitionSecurityTypeOf,
  nodeAgentArchitecture,
  planImageSecurity,
  poolSecurityProfile,
  sourceSecurityType,
  vmSizeArchitecture,
  type DefinitionSecurityType,
  type SourceSecurityType,
} from '../../../src/domain/planning/securityType';
import { checkImageSecurity } from '../../../src/domain/planning/securityFindings';
import { FINDING_CODES } from '../../../src/domain/findings';
import { exampleRequest } from '../../helpers/requests';

const SOURCES: SourceSecurityType[] = ['Standard', 'TrustedLaunch', 'ConfidentialVM'];

describe('security types: source → definition', () => {
  it('reads VM and disk security types (DiskRP ConfidentialVM_* variants are Confidential VM)', () => {
    expect(sourceSecurityType('TrustedLaunch')).toBe('TrustedLaunch');
    expect(sourceSecurityType('ConfidentialVM')).toBe('ConfidentialVM');
    expect(sourceSecurityType('ConfidentialVM_DiskEncryptedWithPlatformKey')).toBe('ConfidentialVM');
    expect(sourceSecurityType('ConfidentialVM_NonPersistedTPM')).toBe('ConfidentialVM');
    expect(sourceSecurityType('Standard')).toBe('Standard');
    expect(sourceSecurityType(undefined)).toBeUndefined();
  });

  it("reads a definition's SecurityType feature case-insensitively; none means Standard", () => {
    expect(definitionSecurityTypeOf(undefined)).toBe('Standard');
    expect(definitionSecurityTypeOf([{ name: 'IsAcceleratedNetworkSupported', value: 'true' }])).toBe(
      'Standard',
    );
    expect(definitionSecurityTypeOf([{ name: 'securitytype', value: 'trustedlaunchsupported' }])).toBe(
      'TrustedLaunchSupported',
    );
  });

  it('creates each source into a definition that accepts it', () => {
    for (const source of SOURCES)
      expect(definitionAccepts(definitionSecurityTypeFor(source), source)).toBe(true);
    expect(definitionSecurityTypeFor(undefined)).toBe('Standard');
  });

  // The whole matrix: a Trusted Launch source needs "TrustedLaunch" in the type, a CVM source "Confidential".
  const matrix = DEFINITION_SECURITY_TYPES.flatMap((d) => SOURCES.map((s) => [d, s] as const));
  it.each(matrix)(
    'definition %s accepts a %s source exactly when its type names it',
    (definition, source) => {
      const expected =
        source === 'Standard'
          ? true
          : source === 'TrustedLaunch'
            ? /TrustedLaunch/.test(definition)
            : /Confidential/i.test(definition);
      expect(definitionAccepts(definition, source)).toBe(expected);
    },
  );
});

describe('poolSecurityProfile', () => {
  it.each(DEFINITION_SECURITY_TYPES.map((t) => [t]))('%s', (securityType: DefinitionSecurityType) => {
    const profile = poolSecurityProfile({ securityType });
    if (securityType === 'TrustedLaunch')
      expect(profile).toEqual({
        securityType: 'trustedLaunch',
        uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
      });
    else expect(profile).toBeUndefined();
  });

  it("keeps the build VM's secure boot and vTPM", () => {
    expect(
      poolSecurityProfile({ securityType: 'TrustedLaunch', uefiSettings: { secureBootEnabled: false } }),
    ).toEqual({
      securityType: 'trustedLaunch',
      uefiSettings: { secureBootEnabled: false, vTpmEnabled: true },
    });
  });
});

describe('architecture', () => {
  it.each([
    ['Standard_D4s_v5', 'x64'],
    ['Standard_D4ps_v5', 'Arm64'],
    ['Standard_D2pds_v5', 'Arm64'],
    ['Standard_E8pds_v5', 'Arm64'],
    ['Standard_B2pts_v2', 'Arm64'],
    ['Standard_D16pls_v6', 'Arm64'],
    ['Standard_HB120rs_v3', 'x64'],
    ['Standard_HB120-32rs_v3', 'x64'],
    ['Standard_NC24ads_A100_v4', 'x64'],
    ['Standard_F8', 'x64'],
  ])('VM size %s is %s', (size, arch) => expect(vmSizeArchitecture(size)).toBe(arch));

  // Batch answers sizes upper-cased (PoolGet.json "STANDARD_D4", PoolStopResize.json "STANDARD_D4S_V3").
  it.each([
    ['STANDARD_D4PS_V5', 'Arm64'],
    ['standard_d4ps_v5', 'Arm64'],
    ['STANDARD_D4S_V3', 'x64'],
    ['STANDARD_D4', 'x64'],
    ['standard_e8pds_v5', 'Arm64'],
    ['Standard_NP10s', 'x64'],
  ])('VM size %s is %s whatever its case', (size, arch) => expect(vmSizeArchitecture(size)).toBe(arch));

  it('node agent SKU: its name, else the images Batch lists for it, else unknown', () => {
    expect(nodeAgentArchitecture('batch.node.windows amd64', undefined)).toBe('x64');
    expect(nodeAgentArchitecture('batch.node.ubuntu 22.04 arm64', undefined)).toBe('Arm64');
    expect(nodeAgentArchitecture('batch.node.ubuntu 22.04', undefined)).toBeUndefined();
    const listed = (sku: string) => ({
      nodeAgentSKUId: 'batch.node.ubuntu 22.04',
      imageReference: { sku },
      verificationType: 'verified' as const,
      osType: 'linux' as const,
    });
    expect(nodeAgentArchitecture('batch.node.ubuntu 22.04', [listed('22_04-lts-arm64')])).toBe('Arm64');
    expect(nodeAgentArchitecture('batch.node.ubuntu 22.04', [listed('22_04-lts')])).toBe('x64');
    expect(
      nodeAgentArchitecture('batch.node.ubuntu 22.04', [listed('22_04-lts'), listed('22_04-lts-arm64')]),
    ).toBeUndefined();
  });
});

describe('checkImageSecurity over the matrix', () => {
  const request = exampleRequest();
  const codes = (r: typeof request, facts: Parameters<typeof checkImageSecurity>[1]) =>
    checkImageSecurity(r, facts).map((f) => f.code);

  it('a Trusted Launch source into a new definition is fine, and its pools need trustedLaunch', () => {
    expect(codes(request, { securityType: 'TrustedLaunch', architecture: 'x64' })).toEqual([]);
    expect(planImageSecurity(request, { securityType: 'TrustedLaunch' })).toMatchObject({
      definitionSecurityType: 'TrustedLaunch',
      poolSecurityProfile: { securityType: 'trustedLaunch' },
    });
  });

  it.each(DEFINITION_SECURITY_TYPES.flatMap((d) => SOURCES.map((s) => [d, s] as const)))(
    'existing definition %s with a %s source',
    (securityType, source) => {
      const found = codes(request, {
        securityType: source,
        definition: { securityType, architecture: 'x64' },
      });
      expect(found.includes('DEFINITION_SECURITY_TYPE_MISMATCH')).toBe(
        !definitionAccepts(securityType, source),
      );
      const confidentialOnly = securityType === 'ConfidentialVM';
      expect(found.includes('BATCH_CONFIDENTIAL_VM_UNSUPPORTED')).toBe(confidentialOnly);
      // The example builds from a VM: GalleryRP refuses it into every "…Supported" definition.
      expect(found.includes('DEFINITION_SOURCE_NOT_SUPPORTED')).toBe(securityType.endsWith('Supported'));
    },
  );

  // GalleryRP: "Currently only Vhd Blob, User Image and Gallery Image Version sources are supported for
  // 'TrustedLaunchSupported' images" (hashicorp/packer-plugin-azure#304, microsoft/STL#4682).
  it.each([
    ['virtualMachine', true],
    ['snapshots', true],
    ['managedImage', false],
    ['galleryImageVersion', false],
  ] as const)(
    'a %s source into an existing TrustedLaunchSupported definition: refused %s',
    (type, refused) => {
      const r = exampleRequest(type === 'virtualMachine' ? undefined : 'snapshot-source');
      const fromSource = { ...r, source: { ...r.source, type } } as typeof r;
      const found = checkImageSecurity(fromSource, {
        securityType: type === 'managedImage' ? 'Standard' : 'TrustedLaunch',
        definition: { securityType: 'TrustedLaunchSupported', architecture: 'x64' },
      }).filter((f) => f.code === 'DEFINITION_SOURCE_NOT_SUPPORTED');
      expect(found.length).toBe(refused ? 1 : 0);
      if (refused) {
        expect(found[0]).toMatchObject({ path: 'image.definition', severity: 'error' });
        expect(found[0]!.message).toMatch(/TrustedLaunchSupported/);
        expect(found[0]!.message).toMatch(
          /use a TrustedLaunch definition for a Trusted Launch build VM, a Standard one for a Standard VM/,
        );
      }
    },
  );

  // @azure/arm-batch 9.1.0 sends SecurityProfile.securityType as its constant trustedLaunch: a template
  // securityProfile makes a Trusted Launch pool, which only a TrustedLaunch image needs.
  describe('a template securityProfile', () => {
    const withProfile = exampleRequest(undefined, (i) => {
      (i.pools as Record<string, unknown>[])[0]!.template = {
        deploymentConfiguration: {
          virtualMachineConfiguration: { securityProfile: { encryptionAtHost: true } },
        },
      };
    });
    const profileFindings = (facts: Parameters<typeof checkImageSecurity>[1]) =>
      checkImageSecurity(withProfile, facts).filter((f) => f.code === 'POOL_TEMPLATE_SECURITY_PROFILE');

    it.each(['Standard', 'ConfidentialVM'] as const)('is an error when the image is %s', (source) => {
      const [f] = profileFindings({ securityType: source, architecture: 'x64' });
      expect(f).toMatchObject({
        severity: 'error',
        path: 'pools[0].template.deploymentConfiguration.virtualMachineConfiguration.securityProfile',
      });
      expect(f!.message).toMatch(/trustedLaunch/);
      expect(f!.message).toMatch(/remove/i);
    });

    it('is kept on a TrustedLaunchSupported definition: it asks for Trusted Launch VMs, which Azure allows', () => {
      expect(
        profileFindings({
          securityType: 'Standard',
          definition: { securityType: 'TrustedLaunchSupported', architecture: 'x64' },
        }),
      ).toEqual([]);
    });

    it('is kept when the image is Trusted Launch, and unknown images are left to preflight', () => {
      expect(profileFindings({ securityType: 'TrustedLaunch', architecture: 'x64' })).toEqual([]);
      expect(profileFindings(undefined)).toEqual([]);
    });
  });

  it('a Confidential VM image without pools is no Batch problem', () => {
    const noPools = exampleRequest(undefined, (i) => (i.pools = []));
    expect(codes(noPools, { securityType: 'ConfidentialVM' })).toEqual([]);
  });

  it('Gen1 with Trusted Launch or Arm64 is refused; Gen1 Standard x64 is fine', () => {
    const gen1 = exampleRequest(undefined, (i) => (i.image.hyperVGeneration = 'V1'));
    expect(codes(gen1, { securityType: 'TrustedLaunch' })).toEqual(['SECURITY_TYPE_REQUIRES_GEN2']);
    expect(codes(gen1, { securityType: 'Standard', architecture: 'x64' })).toEqual([]);
    expect(codes(gen1, { architecture: 'Arm64' })).toContain('ARM64_REQUIRES_GEN2');
  });

  it('Arm64 image with x64 sizes, and x64 image with Arm64 sizes, name the pool', () => {
    expect(codes(request, { architecture: 'Arm64' })).toEqual(['POOL_VM_SIZE_ARCHITECTURE_MISMATCH']);
    const arm = exampleRequest(
      undefined,
      (i) => ((i.pools as { vmSize: string }[])[0]!.vmSize = 'Standard_D4ps_v5'),
    );
    expect(codes(arm, { architecture: 'Arm64' })).toEqual([]);
    expect(codes(arm, { architecture: 'x64' })).toEqual(['POOL_VM_SIZE_ARCHITECTURE_MISMATCH']);
    // Without facts (bif plan), the pools' sizes say the architecture.
    expect(planImageSecurity(arm, undefined).architecture).toBe('Arm64');
  });

  it('every rule has a finding code and a source', () => {
    for (const rule of SECURITY_RULES) {
      expect(Object.keys(FINDING_CODES)).toContain(rule.code);
      expect(rule.source).toMatch(/learn\.microsoft\.com|azure-rest-api-specs|Batch|GalleryRP/);
    }
  });
});
