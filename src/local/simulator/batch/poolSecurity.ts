import type { BatchPoolState } from '../model';
import type { World } from '../world';
import { invalidProperty } from './batchErrors';

type Json = Record<string, any>;

/*
 * Security types between a gallery image and a Batch pool (management API 2023-11-01 SecurityProfile:
 * `securityType` has the one value `trustedLaunch`, and `uefiSettings` needs a security type).
 *
 * The shape is checked when the pool is written (400, like any enum). Whether the image accepts the
 * pool's security type is not: Batch accepts the pool and asks Compute for the VMs as it allocates, so
 * Compute's refusal reaches the user as the pool's resize error with no node (users report it as
 * failed or unusable nodes, not a refused PUT: MicrosoftDocs/azure-docs#116656).
 */

const TRUSTED_LAUNCH_CAPABLE = [
  'trustedlaunch',
  'trustedlaunchsupported',
  'trustedlaunchandconfidentialvmsupported',
];

/** 400 InvalidPropertyValue for a security type outside the spec's enum or uefiSettings without one. */
export function checkSecurityProfileShape(vmc: Json): void {
  const profile = vmc.securityProfile as Json | undefined;
  if (profile === undefined) return;
  const type = profile.securityType as unknown;
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'trustedlaunch'))
    throw invalidProperty(
      'securityProfile.securityType',
      `'${String(type)}' is not a security type this API accepts: use trustedLaunch.`,
    );
  if (profile.uefiSettings !== undefined && type === undefined)
    throw invalidProperty(
      'securityProfile.uefiSettings',
      'uefiSettings needs securityProfile.securityType (trustedLaunch).',
    );
}

/** The definition's `SecurityType` feature, lower-cased ('' when it has none: Standard). */
function definitionSecurityType(world: World, imageId: string): string {
  const definition = world.resource(imageId.split('/').slice(0, -2).join('/'));
  const features = (definition?.properties.features ?? []) as { name?: string; value?: string }[];
  const feature = features.find((f) => f.name?.toLowerCase() === 'securitytype');
  return (feature?.value ?? '').toLowerCase();
}

/**
 * Compute's answer to the VMs a pool asks for, as the pool's resize error at the first node: a
 * `TrustedLaunch` image makes Trusted Launch VMs only; a Trusted Launch VM needs an image whose
 * definition supports it (Standard definitions do not).
 */
export function securityAllocationError(world: World, vmc: Json): BatchPoolState['resize']['error'] {
  const imageId = vmc.imageReference?.virtualMachineImageId as string | undefined;
  if (!imageId) return undefined;
  const image = definitionSecurityType(world, imageId);
  const pool = String((vmc.securityProfile as Json | undefined)?.securityType ?? '').toLowerCase();
  if (image === 'trustedlaunch' && pool !== 'trustedlaunch')
    return {
      code: 'AllocationFailed',
      message:
        "The provided gallery image only supports creation of VMs and VM Scale Sets with 'TrustedLaunch' security type.",
      values: [{ name: 'Fix', value: 'Create the pool with securityProfile.securityType trustedLaunch.' }],
      atFraction: 0,
    };
  if (pool === 'trustedlaunch' && !TRUSTED_LAUNCH_CAPABLE.includes(image))
    return {
      code: 'AllocationFailed',
      message:
        "The provided gallery image does not support creation of VMs and VM Scale Sets with 'TrustedLaunch' security type.",
      values: [
        {
          name: 'Fix',
          value:
            'Use an image whose definition has SecurityType TrustedLaunchSupported or TrustedLaunch, or drop securityProfile.',
        },
      ],
      atFraction: 0,
    };
  return undefined;
}
