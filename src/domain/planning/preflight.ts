import { finding, type Finding } from '../findings';
import type { BuildRequest, OsType } from '../buildRequest';
import { mustParse } from '../resourceId';
import type { SecurityFacts } from './securityType';

/**
 * What the adapters learn about the source before anything is created. Every field is what ARM reports;
 * the rules below turn it into findings. Unknown (undefined) facts produce no finding.
 */
export interface SourceFacts {
  osType?: OsType;
  /** `Generalized` or `Specialized` (from the VM's instance view or the image/snapshot). */
  osState?: 'Generalized' | 'Specialized';
  hyperVGeneration?: 'V1' | 'V2';
  /** False when any disk is an unmanaged VHD. */
  managedDisks?: boolean;
  /** True when the OS disk uses Azure Disk Encryption (guest-level); SSE with platform or customer keys is fine. */
  osDiskEncrypted?: boolean;
  /** Names of installed VM extensions. */
  extensions?: string[];
  /** Marketplace purchase plan of the base image, if any. */
  plan?: { name: string; publisher: string; product: string };
  /** Storage type of each managed disk to capture (os, data0, data1…), e.g. Premium_LRS, UltraSSD_LRS. */
  diskSkus?: Record<string, string>;
  /** Security type, secure boot/vTPM and architecture of the source, and of the existing definition. */
  security?: SecurityFacts;
}

/** Where the subscriptions involved stand, for cross-subscription galleries. */
export interface PlacementFacts {
  /** Registration state of Microsoft.Batch per subscription id (lower-case). */
  batchProviderRegistration?: Record<string, string>;
  /** Tenant id per subscription id (lower-case). */
  tenants?: Record<string, string>;
}

/**
 * "Premium SSD v2 disks can't be used as an OS disk or with Azure Compute Gallery"; "Ultra Disks can't be
 * used with Azure Compute Gallery" (learn.microsoft.com/azure/virtual-machines/disks-types, the limitations
 * of each). Their snapshots (incremental only) cannot become an image version either.
 */
const GALLERY_UNSUPPORTED_DISKS: Record<string, { label: string; plural: string }> = {
  premiumv2_lrs: { label: 'a Premium SSD v2 disk', plural: 'Premium SSD v2 disks' },
  ultrassd_lrs: { label: 'an Ultra Disk', plural: 'Ultra Disks' },
};

export function checkSource(request: Pick<BuildRequest, 'source' | 'image'>, facts: SourceFacts): Finding[] {
  const findings: Finding[] = [];
  const at = 'source';
  if (facts.osState === 'Specialized') {
    findings.push(
      finding(
        'SOURCE_NOT_GENERALIZED',
        at,
        'The source is specialized; Batch accepts generalized images only. Generalize the VM (waagent -deprovision+user on Linux, sysprep /generalize on Windows), then az vm generalize.',
      ),
    );
  }
  if (facts.osType && facts.osType !== request.image.osType) {
    findings.push(
      finding(
        'SOURCE_OS_TYPE_MISMATCH',
        'image.osType',
        `image.osType is ${request.image.osType} but the source is ${facts.osType}; set image.osType to ${facts.osType}.`,
      ),
    );
  }
  if (facts.hyperVGeneration && facts.hyperVGeneration !== request.image.hyperVGeneration) {
    findings.push(
      finding(
        'SOURCE_HYPERV_GENERATION_MISMATCH',
        'image.hyperVGeneration',
        `image.hyperVGeneration is ${request.image.hyperVGeneration} but the source is ${facts.hyperVGeneration}; set it to ${facts.hyperVGeneration}.`,
      ),
    );
  }
  if (facts.managedDisks === false) {
    findings.push(
      finding(
        'UNMANAGED_DISKS',
        at,
        'The source VM has unmanaged (VHD) disks; Batch custom images need managed disks. Convert the VM to managed disks first.',
      ),
    );
  }
  if (facts.osDiskEncrypted) {
    findings.push(
      finding(
        'OS_DISK_ENCRYPTED',
        at,
        'The source OS disk uses Azure Disk Encryption; Batch cannot use images from encrypted OS disks. Disable encryption on the build VM, then generalize it again.',
      ),
    );
  }
  if (facts.extensions && facts.extensions.length > 0) {
    findings.push(
      finding(
        'VM_EXTENSIONS_INSTALLED',
        at,
        `The source VM has extensions installed (${facts.extensions.join(', ')}); Batch images must not carry extensions. Remove them and capture again.`,
      ),
    );
  }
  for (const [disk, sku] of Object.entries(facts.diskSkus ?? {})) {
    const kind = GALLERY_UNSUPPORTED_DISKS[sku.toLowerCase()];
    if (kind) {
      findings.push(
        finding(
          'DISK_SKU_NOT_SUPPORTED',
          at,
          `The source VM's ${disk} disk is ${kind.label} (${sku}), and Azure Compute Gallery can't use ${kind.plural}. Move its data to a Premium SSD (Premium_LRS) or Standard SSD disk, detach that disk, and build again.`,
        ),
      );
    }
  }
  if (facts.plan) {
    findings.push(
      finding(
        'PURCHASE_PLAN_PRESENT',
        at,
        `The source's base image has a purchase plan (${facts.plan.publisher}/${facts.plan.product}/${facts.plan.name}); Batch needs a first-party Marketplace base image without third-party terms.`,
      ),
    );
  }
  return findings;
}

/** What the preflight records when ARM refuses (403) to say whether Microsoft.Batch is registered. */
export const PROVIDER_STATE_UNREADABLE = 'Unknown (403)';

/**
 * Where the version's source lives against where the version will: Azure creates a version only from
 * a source in its own region ("Source … is not found. Please check source exists, and is in the same
 * region as gallery image version being created"). A VM's disks are copied across by the pipeline
 * (incremental snapshots, CopyStart); the sources named here are used as they are, so they must match.
 */
export function checkSourceRegion(
  source: BuildRequest['source'],
  sourceRegion: string | undefined,
  galleryRegion: string,
): Finding[] {
  if (!sourceRegion || sourceRegion === galleryRegion) return [];
  if (source.type !== 'snapshots' && source.type !== 'managedImage') return [];
  const what = source.type === 'snapshots' ? 'snapshots' : 'managed image';
  const path = source.type === 'snapshots' ? 'source.osDisk' : 'source.id';
  return [
    finding(
      'SOURCE_REGION_MISMATCH',
      path,
      `The source ${what} ${source.type === 'snapshots' ? 'are' : 'is'} in ${sourceRegion} but the gallery (and so the image version) is in ${galleryRegion}; Azure builds a version only from a source in its own region. Use a source in ${galleryRegion} (copy incremental snapshots there with az snapshot create --copy-start, or copy the image), point image.galleryId at a gallery in ${sourceRegion}, or build from the VM (source.type "virtualMachine"), whose disks the pipeline copies across.`,
    ),
  ];
}

/**
 * Publisher/offer/sku identify a definition within its gallery: Azure refuses a second definition with
 * the same triplet (409 "Gallery image: <name> identified by (publisher…, offer…, sku…) already exists")
 * and refuses to change an existing definition's identifier ("Changing property
 * 'galleryImage.properties.identifier' is not allowed").
 */
export function checkDefinitionIdentity(
  image: Pick<BuildRequest['image'], 'definition' | 'identifier'>,
  existing: { name: string; publisher: string; offer: string; sku: string }[],
): Finding[] {
  const lower = (v: string) => v.toLowerCase();
  const { publisher, offer, sku } = image.identifier;
  const triplet = `${publisher}/${offer}/${sku}`;
  const same = existing.find((d) => lower(d.name) === lower(image.definition));
  if (same) {
    const existingTriplet = `${same.publisher}/${same.offer}/${same.sku}`;
    if (lower(existingTriplet) === lower(triplet)) return [];
    return [
      finding(
        'IMAGE_DEFINITION_IDENTIFIER_MISMATCH',
        'image.identifier',
        `Image definition ${same.name} already exists with publisher/offer/sku ${existingTriplet}, and Azure does not allow changing it; set image.identifier to ${existingTriplet}, or choose a new image.definition for ${triplet}.`,
      ),
    ];
  }
  const taken = existing.find(
    (d) =>
      lower(d.publisher) === lower(publisher) &&
      lower(d.offer) === lower(offer) &&
      lower(d.sku) === lower(sku),
  );
  if (!taken) return [];
  return [
    finding(
      'IMAGE_IDENTIFIER_TAKEN',
      'image.identifier',
      `Image definition ${taken.name} in this gallery already has publisher/offer/sku ${triplet}, and Azure allows each combination once per gallery; build into image.definition "${taken.name}", or choose another publisher/offer/sku.`,
    ),
  ];
}

/**
 * Batch accounts in another subscription than the gallery: that subscription must have Microsoft.Batch
 * registered and share the gallery's Entra tenant.
 */
export function checkPlacement(
  request: Pick<BuildRequest, 'image' | 'pools'>,
  facts: PlacementFacts = {},
): Finding[] {
  const findings: Finding[] = [];
  const gallerySubscription = mustParse(request.image.galleryId).subscriptionId.toLowerCase();
  const reported = new Set<string>();
  request.pools.forEach((pool, index) => {
    const accountSubscription = mustParse(pool.account.id).subscriptionId.toLowerCase();
    if (accountSubscription === gallerySubscription || reported.has(accountSubscription)) return;
    reported.add(accountSubscription);
    const path = `pools[${index}].account.id`;
    const galleryTenant = facts.tenants?.[gallerySubscription];
    const accountTenant = facts.tenants?.[accountSubscription];
    if (galleryTenant && accountTenant && galleryTenant.toLowerCase() !== accountTenant.toLowerCase()) {
      findings.push(
        finding(
          'CROSS_TENANT',
          path,
          `The Batch account's subscription ${accountSubscription} is in tenant ${accountTenant}, the gallery's in ${galleryTenant}; they must share an Entra tenant.`,
        ),
      );
    }
    const state = facts.batchProviderRegistration?.[gallerySubscription];
    if (state === PROVIDER_STATE_UNREADABLE) {
      findings.push(
        finding(
          'BATCH_PROVIDER_STATE_UNKNOWN',
          path,
          `Could not read whether Microsoft.Batch is registered in the gallery's subscription ${gallerySubscription} (403: the identity may not read that subscription's providers). Pools in ${accountSubscription} need it registered: check with az provider show -n Microsoft.Batch --subscription ${gallerySubscription}, or give the identity Reader on that subscription so preflight can check.`,
        ),
      );
    } else if (state === undefined) {
      findings.push(
        finding(
          'CROSS_SUBSCRIPTION_GALLERY',
          path,
          `The Batch account is in subscription ${accountSubscription}, the gallery in ${gallerySubscription}: register Microsoft.Batch in ${gallerySubscription} (az provider register -n Microsoft.Batch --subscription ${gallerySubscription}); both must be in the same tenant.`,
        ),
      );
    } else if (state.toLowerCase() !== 'registered') {
      findings.push(
        finding(
          'BATCH_PROVIDER_NOT_REGISTERED',
          path,
          `Microsoft.Batch is ${state} in the gallery's subscription ${gallerySubscription}; pools in another subscription cannot use its images until you run az provider register -n Microsoft.Batch --subscription ${gallerySubscription}.`,
        ),
      );
    }
  });
  return findings;
}
