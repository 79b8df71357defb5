import { finding, type Finding } from '../findings';
import type { BuildRequest } from '../buildRequest';
import type { SupportedImage } from './nodeAgentSku';
import {
  definitionAccepts,
  nodeAgentArchitecture,
  planImageSecurity,
  takesOnlyImageSources,
  vmSizeArchitecture,
  type Architecture,
  type DefinitionSecurityType,
  type SecurityFacts,
} from './securityType';

type Request = Pick<BuildRequest, 'image' | 'pools' | 'source'>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON, checked against the spec before use
type Json = Record<string, any>;

/**
 * Every combination of source, definition and pool that Azure or Batch refuses, as findings with the
 * fix (rules and sources: SECURITY_RULES in ./securityType). Runs with whatever facts there are:
 * `bif plan` knows only the request, preflight also the source and the existing definition.
 */
export function checkImageSecurity(
  request: Request,
  facts: SecurityFacts | undefined,
  supported?: readonly SupportedImage[],
): Finding[] {
  const image = planImageSecurity(request, facts);
  return [
    ...generationFindings(request, image.definitionSecurityType, image.architecture),
    ...definitionFindings(facts),
    ...definitionSourceFindings(request.source.type, facts),
    ...confidentialFindings(request, image.definitionSecurityType),
    ...poolArchitectureFindings(request, facts?.architecture ?? facts?.definition?.architecture, supported),
    ...templateSecurityFindings(request, image.definitionSecurityType),
  ];
}

const PROFILE = 'deploymentConfiguration.virtualMachineConfiguration.securityProfile';

/**
 * A template `securityProfile` on an image that cannot make Trusted Launch VMs: in Batch management API
 * 2023-11-01 `securityType` has the one value `trustedLaunch`, which @azure/arm-batch 9.1.0 sends as a
 * constant, so any profile (even `{encryptionAtHost: true}`) asks for Trusted Launch and Compute refuses the
 * VMs. A profile that contradicts what a `TrustedLaunch` image needs is `POOL_SECURITY_PROFILE_MISMATCH`
 * (poolSecurityProfile.ts); on a "…Supported" image it asks for Trusted Launch VMs, which Azure allows.
 * An image not yet read is left to preflight.
 */
function templateSecurityFindings(request: Request, securityType: string | undefined): Finding[] {
  if (!securityType || definitionAccepts(securityType as DefinitionSecurityType, 'TrustedLaunch')) return [];
  return request.pools.flatMap((pool, index) => {
    const profile = (pool.template as Json | undefined)?.deploymentConfiguration?.virtualMachineConfiguration
      ?.securityProfile as Json | undefined;
    if (profile === undefined) return [];
    const path = `pools[${index}].template.${PROFILE}`;
    return [
      finding(
        'POOL_TEMPLATE_SECURITY_PROFILE',
        path,
        `${path} would make a Trusted Launch pool (the Batch management API this factory speaks, 2023-11-01 through @azure/arm-batch 9.1.0, always sends securityType trustedLaunch), but the image is ${securityType}, which cannot make Trusted Launch VMs. Remove securityProfile from the template, or build into a TrustedLaunch or TrustedLaunchSupported definition.`,
      ),
    ];
  });
}

function generationFindings(
  request: Request,
  securityType: string | undefined,
  architecture: Architecture | undefined,
): Finding[] {
  if (request.image.hyperVGeneration !== 'V1') return [];
  const out: Finding[] = [];
  if (securityType && securityType !== 'Standard')
    out.push(
      finding(
        'SECURITY_TYPE_REQUIRES_GEN2',
        'image.hyperVGeneration',
        `The image is ${securityType} but image.hyperVGeneration is V1; Trusted Launch and Confidential VM exist only for generation 2. Set image.hyperVGeneration to V2 (and build from a Gen2 VM).`,
      ),
    );
  if (architecture === 'Arm64')
    out.push(
      finding(
        'ARM64_REQUIRES_GEN2',
        'image.hyperVGeneration',
        'The image is Arm64 but image.hyperVGeneration is V1; Arm64 VM sizes run generation 2 images only. Set image.hyperVGeneration to V2.',
      ),
    );
  return out;
}

function definitionFindings(facts: SecurityFacts | undefined): Finding[] {
  const definition = facts?.definition;
  if (!definition) return [];
  const out: Finding[] = [];
  if (facts.securityType && !definitionAccepts(definition.securityType, facts.securityType))
    out.push(
      finding(
        'DEFINITION_SECURITY_TYPE_MISMATCH',
        'image.definition',
        `The source is ${facts.securityType} but the existing image definition's SecurityType is ${definition.securityType}, which does not accept it. Build into a new image.definition (the pipeline creates it with SecurityType ${facts.securityType}), or capture from a ${definition.securityType === 'Standard' ? 'Standard' : 'matching'} VM.`,
      ),
    );
  if (facts.architecture && facts.architecture !== definition.architecture)
    out.push(
      finding(
        'DEFINITION_ARCHITECTURE_MISMATCH',
        'image.definition',
        `The source is ${facts.architecture} but the existing image definition is ${definition.architecture}, and a definition's architecture cannot change. Build into a new image.definition for ${facts.architecture} images.`,
      ),
    );
  return out;
}

/** What each copied source is, for the message. */
const COPIED: Partial<Record<Request['source']['type'], string>> = {
  virtualMachine: "the build VM's OS disk",
  snapshots: 'the snapshots',
};

/**
 * GalleryRP takes only VHD blob, managed image and gallery image version sources into a "…Supported"
 * definition; this pipeline copies a VM's or snapshots' disks, which it refuses whatever their type.
 */
function definitionSourceFindings(
  sourceType: Request['source']['type'],
  facts: SecurityFacts | undefined,
): Finding[] {
  const definition = facts?.definition;
  const copied = COPIED[sourceType];
  if (!definition || !copied || !takesOnlyImageSources(definition.securityType)) return [];
  return [
    finding(
      'DEFINITION_SOURCE_NOT_SUPPORTED',
      'image.definition',
      `The existing image definition's SecurityType is ${definition.securityType}, and Azure takes only VHD, managed image and gallery image version sources into such a definition ("Currently only Vhd Blob, User Image and Gallery Image Version sources are supported"); this build copies ${copied}. Build into another image.definition: use a TrustedLaunch definition for a Trusted Launch build VM, a Standard one for a Standard VM${facts.securityType === 'ConfidentialVM' ? ', a ConfidentialVM one for a Confidential VM' : ''} (a new name: the pipeline creates it to match the source).`,
    ),
  ];
}

function confidentialFindings(request: Request, securityType: string | undefined): Finding[] {
  if (securityType !== 'ConfidentialVM' || request.pools.length === 0) return [];
  return [
    finding(
      'BATCH_CONFIDENTIAL_VM_UNSUPPORTED',
      'source',
      'The image is ConfidentialVM-only (a Confidential VM source or definition), and the Batch API this factory speaks (management API 2023-11-01) creates only Standard and Trusted Launch pools. Build from a Trusted Launch or Standard Gen2 VM, or publish without pools (remove pools[]).',
    ),
  ];
}

function poolArchitectureFindings(
  request: Request,
  imageArchitecture: Architecture | undefined,
  supported: readonly SupportedImage[] | undefined,
): Finding[] {
  const out: Finding[] = [];
  const sizes = request.pools.map((p) => vmSizeArchitecture(p.vmSize));
  if (!imageArchitecture && new Set(sizes.filter(Boolean)).size > 1)
    out.push(
      finding(
        'POOL_ARCHITECTURES_DIFFER',
        'pools',
        `The pools mix x64 and Arm64 VM sizes (${request.pools.map((p) => p.vmSize).join(', ')}), but one image has one architecture. Build one image per architecture and give each its own request.`,
      ),
    );
  if (!imageArchitecture) return out;
  request.pools.forEach((pool, index) => {
    const size = sizes[index];
    if (size && size !== imageArchitecture)
      out.push(
        finding(
          'POOL_VM_SIZE_ARCHITECTURE_MISMATCH',
          `pools[${index}].vmSize`,
          `The image is ${imageArchitecture} but VM size ${pool.vmSize} is ${size}. Choose an ${imageArchitecture} size${imageArchitecture === 'Arm64' ? " (a 'p' size such as Standard_D4ps_v5)" : ' (without the p feature letter, such as Standard_D4s_v5)'}.`,
        ),
      );
    const agent = nodeAgentArchitecture(pool.nodeAgentSkuId, supported);
    if (agent && agent !== imageArchitecture)
      out.push(
        finding(
          'POOL_NODE_AGENT_ARCHITECTURE_MISMATCH',
          `pools[${index}].nodeAgentSkuId`,
          `The image is ${imageArchitecture} but node agent SKU "${pool.nodeAgentSkuId}" serves ${agent} images. Choose a node agent SKU that Batch lists for ${imageArchitecture} images (az batch pool supported-images list).`,
        ),
      );
  });
  return out;
}
