import type { BuildRequest } from '../buildRequest';
import type { SupportedImage } from './nodeAgentSku';

/**
 * Security type and CPU architecture of an image, from its source to the gallery definition to the Batch
 * pool. Every rule here is one Azure or Batch enforces; the table `SECURITY_RULES` names its source, and
 * docs/security-types.md renders the whole matrix.
 */

/** What a VM, disk or snapshot is (VM `securityProfile.securityType`, disk `securityProfile.securityType`). */
export type SourceSecurityType = 'Standard' | 'TrustedLaunch' | 'ConfidentialVM';

/** The values of a gallery image definition's `SecurityType` feature (GalleryRP `features[]`). */
export const DEFINITION_SECURITY_TYPES = [
  'Standard',
  'TrustedLaunchSupported',
  'TrustedLaunch',
  'TrustedLaunchAndConfidentialVmSupported',
  'ConfidentialVmSupported',
  'ConfidentialVM',
] as const;
export type DefinitionSecurityType = (typeof DEFINITION_SECURITY_TYPES)[number];

/** GalleryRP `Architecture` and DiskRP `supportedCapabilities.architecture`. */
export type Architecture = 'x64' | 'Arm64';

/** Secure boot and vTPM of the source VM (`securityProfile.uefiSettings`). */
export interface UefiSettings {
  secureBootEnabled?: boolean;
  vTpmEnabled?: boolean;
}

/** What preflight reads about security and architecture; unknown (undefined) facts produce no finding. */
export interface SecurityFacts {
  /** Of the source (VM, OS disk snapshot; a managed image is always Standard). */
  securityType?: SourceSecurityType;
  architecture?: Architecture;
  uefiSettings?: UefiSettings;
  /** The image definition as it exists in the gallery (absent when the pipeline will create it). */
  definition?: { securityType: DefinitionSecurityType; architecture: Architecture };
}

/** One rule with the Azure source that states it. */
export interface SecurityRule {
  code: string;
  rule: string;
  source: string;
}

export const SECURITY_RULES: readonly SecurityRule[] = [
  {
    code: 'SECURITY_TYPE_REQUIRES_GEN2',
    rule: 'Trusted Launch and Confidential VM exist only for generation 2 VMs and images; a SecurityType feature other than Standard needs hyperVGeneration V2.',
    source:
      'https://learn.microsoft.com/azure/virtual-machines/trusted-launch (first paragraph: "security of generation 2 VMs")',
  },
  {
    code: 'ARM64_REQUIRES_GEN2',
    rule: 'Arm64 VM sizes run generation 2 images only.',
    source:
      'https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/dpsv5-series (Generation 1 VMs: not supported)',
  },
  {
    code: 'DEFINITION_SECURITY_TYPE_MISMATCH',
    rule: 'A Trusted Launch source needs a definition whose SecurityType includes Trusted Launch, a Confidential VM source one that includes Confidential VM; definitions without the feature are Standard.',
    source:
      'https://learn.microsoft.com/azure/virtual-machines/trusted-launch-portal ("Trusted launch VM supported features"/Compute Gallery); GalleryRP spec GalleryImageFeature',
  },
  {
    code: 'DEFINITION_SOURCE_NOT_SUPPORTED',
    rule: 'A "…Supported" definition (TrustedLaunchSupported, ConfidentialVmSupported, TrustedLaunchAndConfidentialVmSupported) takes only VHD blob, managed image and gallery image version sources: GalleryRP refuses a VM, disk or snapshot source into it, whatever its security type (InvalidParameter).',
    source:
      'GalleryRP error "Currently only Vhd Blob, User Image and Gallery Image Version sources are supported for \'TrustedLaunchSupported\' images" as users report it: hashicorp/packer-plugin-azure#304 (2023, VM source), microsoft/STL#4682 (2024), hashicorp/packer-plugin-azure#528 (2025); not in the Azure docs',
  },
  {
    code: 'DEFINITION_ARCHITECTURE_MISMATCH',
    rule: "A definition's architecture is fixed when it is created; its versions must be of that architecture.",
    source:
      'Azure/azure-rest-api-specs specification/compute/resource-manager/Microsoft.Compute/GalleryRP GalleryImageProperties.architecture',
  },
  {
    code: 'BATCH_CONFIDENTIAL_VM_UNSUPPORTED',
    rule: 'Batch management API 2023-11-01 (@azure/arm-batch 9.1.0, the newest our registry has) knows only securityType trustedLaunch: a ConfidentialVM-only image cannot become a pool.',
    source:
      'Azure/azure-rest-api-specs specification/batch/resource-manager/Microsoft.Batch/stable/2023-11-01/BatchManagement.json SecurityProfile.securityType',
  },
  {
    code: 'POOL_VM_SIZE_ARCHITECTURE_MISMATCH',
    rule: "A pool's VM size must have the image's architecture: the 'p' feature letter (in any case: Batch answers sizes upper-cased) marks Arm64 sizes (Dpsv5, Epsv5, Bpsv2, Dpsv6).",
    source:
      'https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions ("p = ARM Cpu"); resource SKU capability CpuArchitectureType',
  },
  {
    code: 'POOL_NODE_AGENT_ARCHITECTURE_MISMATCH',
    rule: "A pool's node agent SKU must serve images of the image's architecture (its name, or the images Batch lists for it).",
    source:
      'Batch "list supported images" (AccountListSupportedImages): nodeAgentSKUId with its imageReference',
  },
  {
    code: 'POOL_TEMPLATE_SECURITY_PROFILE',
    rule: 'In Batch management API 2023-11-01 SecurityProfile.securityType has the one value trustedLaunch, which @azure/arm-batch 9.1.0 sends as a constant: any pool securityProfile makes a Trusted Launch pool, so a template may carry one only for a TrustedLaunch image (its encryptionAtHost is kept; secure boot and vTPM follow the build VM).',
    source:
      'Azure/azure-rest-api-specs specification/batch/resource-manager/Microsoft.Batch/stable/2023-11-01/BatchManagement.json SecurityProfile.securityType; @azure/arm-batch 9.1.0 src/models/mappers.ts SecurityProfile (isConstant)',
  },
  {
    code: 'POOL_ARCHITECTURES_DIFFER',
    rule: 'One image has one architecture, so every pool built from it must use VM sizes of that architecture.',
    source: 'GalleryRP GalleryImageProperties.architecture (one per definition)',
  },
];

/** A disk's `securityProfile.securityType` (`ConfidentialVM_*`) or a VM's, reduced to what the image needs. */
export function sourceSecurityType(raw: string | undefined): SourceSecurityType | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^trustedlaunch$/i.test(raw)) return 'TrustedLaunch';
  if (/^confidentialvm/i.test(raw)) return 'ConfidentialVM';
  return 'Standard';
}

/** A definition's `features` (absent or without SecurityType = Standard). */
export function definitionSecurityTypeOf(
  features: readonly { name?: string; value?: string }[] | undefined,
): DefinitionSecurityType {
  const value = features?.find((f) => f.name?.toLowerCase() === 'securitytype')?.value ?? 'Standard';
  return DEFINITION_SECURITY_TYPES.find((t) => t.toLowerCase() === value.toLowerCase()) ?? 'Standard';
}

/**
 * The definition the pipeline creates for a source: the source's own security type, so VMs (and pools)
 * from it keep the protection the build VM had. Standard stays without a feature, as before.
 */
export function definitionSecurityTypeFor(source: SourceSecurityType | undefined): DefinitionSecurityType {
  return source ?? 'Standard';
}

/** Which source security types a definition's SecurityType accepts. */
const ACCEPTS: Record<DefinitionSecurityType, readonly SourceSecurityType[]> = {
  Standard: ['Standard'],
  TrustedLaunchSupported: ['Standard', 'TrustedLaunch'],
  TrustedLaunch: ['Standard', 'TrustedLaunch'],
  TrustedLaunchAndConfidentialVmSupported: ['Standard', 'TrustedLaunch', 'ConfidentialVM'],
  ConfidentialVmSupported: ['Standard', 'ConfidentialVM'],
  ConfidentialVM: ['Standard', 'ConfidentialVM'],
};

export function definitionAccepts(definition: DefinitionSecurityType, source: SourceSecurityType): boolean {
  return ACCEPTS[definition].includes(source);
}

/**
 * The "…Supported" SecurityTypes are generic Gen2 images without a VM guest state: GalleryRP takes only
 * VHD blob, managed image ("User Image") and gallery image version sources into them, and refuses a
 * VM, disk or snapshot source whatever its security type ("Currently only Vhd Blob, User Image and
 * Gallery Image Version sources are supported", InvalidParameter).
 */
export function takesOnlyImageSources(definition: DefinitionSecurityType): boolean {
  return definition.endsWith('Supported');
}

/** The message GalleryRP answers for a VM, disk or snapshot source into a "…Supported" definition. */
export function onlyImageSourcesMessage(definition: DefinitionSecurityType, sourceId: string): string {
  return `The security type '${definition}' is not supported for the source id '${sourceId}'. Currently only Vhd Blob, User Image and Gallery Image Version sources are supported for '${definition}' images.`;
}

/** The `securityProfile` a Batch pool (management API 2023-11-01 `SecurityProfile`) needs for an image. */
export interface PoolSecurityProfile {
  securityType: 'trustedLaunch';
  uefiSettings: { secureBootEnabled: boolean; vTpmEnabled: boolean };
}

/**
 * What a pool from an image with these features must carry. Only a `TrustedLaunch` definition makes
 * VMs that must be Trusted Launch ("The provided gallery image only supports creation of VMs and VM
 * Scale Sets with 'TrustedLaunch' security type"); the `…Supported` types allow Standard VMs too, so
 * they need nothing. Secure boot and vTPM follow the build VM (a Linux image with unsigned kernel
 * modules was built with secure boot off), and default on. ConfidentialVM images cannot make pools on
 * this Batch API: `checkImageSecurity` refuses them first, and here they get no profile.
 */
export function poolSecurityProfile(image: {
  securityType: DefinitionSecurityType;
  uefiSettings?: UefiSettings;
}): PoolSecurityProfile | undefined {
  if (image.securityType !== 'TrustedLaunch') return undefined;
  return {
    securityType: 'trustedLaunch',
    uefiSettings: {
      secureBootEnabled: image.uefiSettings?.secureBootEnabled ?? true,
      vTpmEnabled: image.uefiSettings?.vTpmEnabled ?? true,
    },
  };
}

/**
 * A VM size's architecture by Azure's naming convention: a `p` among the feature letters (the letters
 * after the vCPU count). Read in any case: Batch answers sizes upper-cased (`STANDARD_D4PS_V5`), and
 * the family letters before the count (`NP`, an x64 FPGA family) are not feature letters.
 */
export function vmSizeArchitecture(vmSize: string): Architecture | undefined {
  const match = /^(?:Standard_|Basic_)?([a-z]+)(\d+)(?:-\d+)?([a-z]*)(?:_|$)/i.exec(vmSize);
  if (!match) return undefined;
  return match[3]!.toLowerCase().includes('p') ? 'Arm64' : 'x64';
}

/**
 * A node agent SKU's architecture: from its name when it says (`batch.node.windows amd64`), else from
 * the images Batch lists for it (Arm64 Marketplace SKUs say `arm64`), else unknown.
 */
export function nodeAgentArchitecture(
  sku: string,
  supported: readonly SupportedImage[] | undefined,
): Architecture | undefined {
  if (/\b(arm64|aarch64)\b/i.test(sku)) return 'Arm64';
  if (/\b(amd64|x64|x86_64)\b/i.test(sku)) return 'x64';
  const images = (supported ?? []).filter((s) => s.nodeAgentSKUId.toLowerCase() === sku.toLowerCase());
  if (images.length === 0) return undefined;
  const arm = images.filter((s) => /arm64|aarch64/i.test(s.imageReference?.sku ?? ''));
  if (arm.length === images.length) return 'Arm64';
  return arm.length === 0 ? 'x64' : undefined;
}

/** The image as the plan sees it: what `bif plan` shows and the pipeline creates. */
export interface ImageSecurityPlan {
  /** The source's security type, when read. */
  sourceSecurityType?: SourceSecurityType;
  /** The definition's SecurityType: the existing one, or the one the pipeline creates. */
  definitionSecurityType?: DefinitionSecurityType;
  /** From the source, the existing definition, or the pools' VM sizes (in that order). */
  architecture?: Architecture;
  /** What pools from this image need (undefined: nothing). */
  poolSecurityProfile?: PoolSecurityProfile;
}

export function planImageSecurity(
  request: Pick<BuildRequest, 'pools'>,
  facts: SecurityFacts | undefined,
): ImageSecurityPlan {
  const definitionSecurityType =
    facts?.definition?.securityType ??
    (facts?.securityType ? definitionSecurityTypeFor(facts.securityType) : undefined);
  const sizes = new Set(request.pools.map((p) => vmSizeArchitecture(p.vmSize)).filter(Boolean));
  const fromSizes = sizes.size === 1 ? ([...sizes][0] as Architecture) : undefined;
  return {
    sourceSecurityType: facts?.securityType,
    definitionSecurityType,
    architecture: facts?.architecture ?? facts?.definition?.architecture ?? fromSizes,
    poolSecurityProfile: definitionSecurityType
      ? poolSecurityProfile({ securityType: definitionSecurityType, uefiSettings: facts?.uefiSettings })
      : undefined,
  };
}
