import { ArmFailure, invalidParameter } from './armErrors';
import type { ArmResource } from '../model';
import type { World } from '../world';
import {
  DEFINITION_SECURITY_TYPES,
  definitionAccepts,
  definitionSecurityTypeOf,
  onlyImageSourcesMessage,
  sourceSecurityType,
  takesOnlyImageSources,
  type SourceSecurityType,
} from '../../../domain/planning/securityType';

/**
 * What GalleryRP and ComputeRP enforce about security types and architecture (sources in
 * docs/simulator.md, "Azure rules the local world enforces"):
 * - a definition's `SecurityType` feature is one of the six GalleryRP values, and anything but
 *   Standard needs hyperVGeneration V2 (Trusted Launch and Confidential VM are Gen2-only:
 *   learn.microsoft.com/azure/virtual-machines/trusted-launch);
 * - `architecture` is x64 or Arm64 (GalleryRP `Architecture`), Arm64 needs V2, and neither it nor the
 *   SecurityType feature changes on an existing definition;
 * - a version's source must fit its definition: a "…Supported" definition takes no VM, disk or snapshot
 *   source at all (only VHD blob, managed image and gallery image version sources), a Trusted Launch or
 *   Confidential VM source needs a definition whose SecurityType includes it, and the source's
 *   architecture must be the definition's;
 * - ComputeRP refuses a managed image from a Trusted Launch disk ("Creation of managed images are not
 *   supported for virtual machine with TrustedLaunch security type", OperationNotAllowed; trusted-launch
 *   "Unsupported features: Managed Image").
 */
const ARCHITECTURES = ['x64', 'Arm64'];

export function checkDefinitionSecurity(
  properties: Record<string, any>,
  existing: ArmResource | undefined,
): void {
  const features = (properties.features ?? []) as { name?: string; value?: string }[];
  const raw = features.find((f) => f.name?.toLowerCase() === 'securitytype')?.value;
  if (raw !== undefined && !DEFINITION_SECURITY_TYPES.some((t) => t.toLowerCase() === raw.toLowerCase()))
    throw invalidParameter(
      `The value '${raw}' of feature 'SecurityType' is not valid. Allowed values: ${DEFINITION_SECURITY_TYPES.join(', ')}.`,
      'properties.features',
    );
  const securityType = definitionSecurityTypeOf(features);
  const architecture = String(properties.architecture ?? 'x64');
  if (!ARCHITECTURES.includes(architecture))
    throw invalidParameter(
      `architecture '${architecture}' is not valid: x64 or Arm64.`,
      'properties.architecture',
    );
  const generation = String(properties.hyperVGeneration ?? 'V1');
  if (generation !== 'V2' && (securityType !== 'Standard' || architecture === 'Arm64'))
    throw invalidParameter(
      `The gallery image with ${securityType !== 'Standard' ? `SecurityType '${securityType}'` : "architecture 'Arm64'"} must have hyperVGeneration 'V2' (it is '${generation}').`,
      'properties.hyperVGeneration',
    );
  if (!existing) return;
  const before = {
    architecture: String(existing.properties.architecture ?? 'x64'),
    securityType: definitionSecurityTypeOf(existing.properties.features as never),
  };
  if (before.architecture !== architecture)
    throw new ArmFailure(
      409,
      'PropertyChangeNotAllowed',
      `Changing property 'galleryImage.properties.architecture' is not allowed (it is ${before.architecture}).`,
      'properties.architecture',
    );
  if (before.securityType !== securityType && properties.allowUpdateImage !== true)
    throw new ArmFailure(
      409,
      'PropertyChangeNotAllowed',
      `Changing property 'galleryImage.properties.features' is not allowed (SecurityType is ${before.securityType}) unless allowUpdateImage is true.`,
      'properties.features',
    );
}

/** The security type and architecture of a version's OS source, as Azure knows them. */
function sourceFacts(
  world: World,
  source: ArmResource,
): { securityType?: SourceSecurityType; architecture?: string } {
  const p = source.properties as Record<string, any>;
  switch (source.type) {
    case 'microsoft.compute/disks':
    case 'microsoft.compute/snapshots':
      return {
        securityType: sourceSecurityType(p.securityProfile?.securityType) ?? 'Standard',
        architecture: p.supportedCapabilities?.architecture,
      };
    case 'microsoft.compute/virtualmachines': {
      const disk = p.storageProfile?.osDisk?.managedDisk?.id;
      const os = disk ? world.resource(String(disk)) : undefined;
      return {
        securityType: sourceSecurityType(p.securityProfile?.securityType) ?? 'Standard',
        architecture: (os?.properties as Record<string, any> | undefined)?.supportedCapabilities
          ?.architecture,
      };
    }
    case 'microsoft.compute/images':
      return { securityType: 'Standard' };
    case 'microsoft.compute/galleries/images/versions': {
      const definition = world.resource(source.id.split('/').slice(0, -2).join('/'));
      const type = definitionSecurityTypeOf(definition?.properties.features as never);
      return {
        securityType:
          type === 'TrustedLaunch'
            ? 'TrustedLaunch'
            : type === 'ConfidentialVM'
              ? 'ConfidentialVM'
              : 'Standard',
        architecture: String(definition?.properties.architecture ?? 'x64'),
      };
    }
    default:
      return {};
  }
}

/** The OS source of a version's storage profile (direct `source.id` or `osDiskImage.source.id`). */
function osSource(world: World, storage: Record<string, any>): ArmResource | undefined {
  const id = storage.source?.id ?? storage.source?.virtualMachineId ?? storage.osDiskImage?.source?.id;
  return id ? world.resource(String(id)) : undefined;
}

/** Sources GalleryRP copies from a VM's disks (not an image): refused by "…Supported" definitions. */
const COPIED_SOURCES = [
  'microsoft.compute/virtualmachines',
  'microsoft.compute/disks',
  'microsoft.compute/snapshots',
];

export function checkVersionSecurity(
  world: World,
  storage: Record<string, any>,
  definition: ArmResource,
): void {
  const source = osSource(world, storage);
  if (!source) return;
  const definitionType = definitionSecurityTypeOf(definition.properties.features as never);
  if (takesOnlyImageSources(definitionType) && COPIED_SOURCES.includes(source.type))
    throw invalidParameter(
      onlyImageSourcesMessage(definitionType, source.id),
      'galleryImageVersion.properties.storageProfile.source.id',
    );
  const facts = sourceFacts(world, source);
  if (facts.securityType && !definitionAccepts(definitionType, facts.securityType))
    throw invalidParameter(
      `The source '${source.id}' has security type '${facts.securityType}', which the gallery image '${definition.name}' (SecurityType '${definitionType}') does not support. Create the image version under a gallery image whose SecurityType supports '${facts.securityType}'.`,
      'properties.storageProfile',
    );
  const architecture = String(definition.properties.architecture ?? 'x64');
  if (facts.architecture && facts.architecture !== architecture)
    throw invalidParameter(
      `The source '${source.id}' has architecture '${facts.architecture}', but the gallery image '${definition.name}' has architecture '${architecture}'.`,
      'properties.storageProfile',
    );
}

/** ComputeRP: no managed image from a Trusted Launch (or Confidential VM) disk or snapshot. */
export function refuseTrustedLaunchManagedImage(os: ArmResource): void {
  const type = sourceSecurityType(
    (os.properties.securityProfile as Record<string, any> | undefined)?.securityType,
  );
  if (type === 'TrustedLaunch' || type === 'ConfidentialVM')
    throw new ArmFailure(
      400,
      'OperationNotAllowed',
      `Creation of managed images are not supported for virtual machine with ${type} security type.`,
      'storageProfile.osDisk',
    );
}
