import { finding, type Finding } from '../findings';
import type { BuildRequest } from '../buildRequest';
import type { ImageSecurityPlan } from './securityType';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON, checked against the spec before use
type Json = Record<string, any>;

const PROFILE = 'deploymentConfiguration.virtualMachineConfiguration.securityProfile';

/**
 * A template's `securityProfile` against the image: a `TrustedLaunch` image needs the profile the
 * pipeline plans (the pipeline lays it over the template, so a different one would be silently lost),
 * and a Trusted Launch pool needs an image whose definition supports it. Batch accepts both mistakes
 * and fails at allocation (Compute refuses the VMs), so they are findings before anything is built.
 * With no known definition security type (`bif plan` without facts) there is nothing to compare.
 */
export function checkPoolSecurityProfiles(
  request: Pick<BuildRequest, 'pools'>,
  image: ImageSecurityPlan,
): Finding[] {
  const definition = image.definitionSecurityType;
  if (!definition) return [];
  return request.pools.flatMap((pool, index) => {
    const given = (pool.template as Json | undefined)?.deploymentConfiguration?.virtualMachineConfiguration
      ?.securityProfile as Json | undefined;
    if (given === undefined) return [];
    const path = `pools[${index}].template.${PROFILE}`;
    const planned = image.poolSecurityProfile;
    if (planned && contradicts(given, planned))
      return [
        finding(
          'POOL_SECURITY_PROFILE_MISMATCH',
          path,
          `${path} is ${JSON.stringify(given)} but the image (definition SecurityType ${definition}) needs ${JSON.stringify(planned)}, which the pipeline sets; remove it from the template.`,
        ),
      ];
    // Trusted Launch from an image that cannot make it: POOL_TEMPLATE_SECURITY_PROFILE (securityFindings.ts).
    return [];
  });
}

/** Any value the template sets that differs from the planned profile (unset values are filled in). */
function contradicts(given: Json, planned: Json): boolean {
  if (given.securityType !== undefined && String(given.securityType).toLowerCase() !== 'trustedlaunch')
    return true;
  const uefi = (given.uefiSettings ?? {}) as Json;
  const want = (planned.uefiSettings ?? {}) as Json;
  return (['secureBootEnabled', 'vTpmEnabled'] as const).some(
    (key) => uefi[key] !== undefined && uefi[key] !== want[key],
  );
}
