import { checkPoolSecurityProfiles } from '../../../src/domain/planning/poolSecurityProfile';
import { planImageSecurity } from '../../../src/domain/planning/securityType';

const pools = (securityProfile?: Record<string, unknown>) => [
  {
    vmSize: 'Standard_D4s_v5',
    ...(securityProfile
      ? { template: { deploymentConfiguration: { virtualMachineConfiguration: { securityProfile } } } }
      : {}),
  },
];
const check = (security: Parameters<typeof planImageSecurity>[1], profile?: Record<string, unknown>) => {
  const request = { pools: pools(profile) } as never;
  return checkPoolSecurityProfiles(request, planImageSecurity(request, security)).map((f) => f.code);
};

describe('a pool template’s securityProfile against the image', () => {
  it('accepts the profile a TrustedLaunch image needs, given in full or in part', () => {
    expect(check({ securityType: 'TrustedLaunch' }, { securityType: 'trustedLaunch' })).toEqual([]);
    expect(
      check(
        { securityType: 'TrustedLaunch' },
        { uefiSettings: { secureBootEnabled: true, vTpmEnabled: true } },
      ),
    ).toEqual([]);
  });

  it('refuses a profile that contradicts the one the image needs (it would be overwritten)', () => {
    expect(check({ securityType: 'TrustedLaunch' }, { uefiSettings: { vTpmEnabled: false } })).toEqual([
      'POOL_SECURITY_PROFILE_MISMATCH',
    ]);
  });

  it('leaves Trusted Launch from a Standard image to POOL_TEMPLATE_SECURITY_PROFILE, and allows it from a TrustedLaunchSupported one', () => {
    const standard = {
      securityType: 'Standard' as const,
      definition: { securityType: 'Standard' as const, architecture: 'x64' as const },
    };
    // One finding per mistake: securityFindings.ts refuses it (the SDK makes any profile Trusted Launch).
    expect(check(standard, { securityType: 'trustedLaunch' })).toEqual([]);
    const supported = {
      securityType: 'Standard' as const,
      definition: { securityType: 'TrustedLaunchSupported' as const, architecture: 'x64' as const },
    };
    expect(check(supported, { securityType: 'trustedLaunch' })).toEqual([]);
  });

  it('says nothing when the image is not known (bif plan without facts)', () => {
    expect(check(undefined, { securityType: 'trustedLaunch' })).toEqual([]);
  });
});
