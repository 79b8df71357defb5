import { FINDING_CODES, type FindingCode } from '../../../src/domain/findings';
import { checkBuildRequest, checkBuildRequestText } from '../../../src/domain/planRequest';
import type { PlanFacts } from '../../../src/domain/planning/plan';
import { exampleInput, exampleRequest, poolInput, SUB_A, SUB_B } from '../../helpers/requests';
import {
  checkDefinitionIdentity,
  checkSourceRegion,
  PROVIDER_STATE_UNREADABLE,
} from '../../../src/domain/planning/preflight';

const NOW = new Date('2026-11-28T00:00:00Z');
const SUBNET = `/subscriptions/${SUB_A}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/batch`;
const accountIn = (sub: string, name: string, region: string) => ({
  id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Batch/batchAccounts/${name}`,
  endpoint: `https://${name}.${region}.batch.azure.com`,
  region,
});

interface Case {
  /** Edits the example request (one-region-small) before the check. */
  edit?: (input: Record<string, any>) => void;
  facts?: Partial<PlanFacts>;
  /** Raw text instead of an edited example. */
  text?: string;
  path: string;
  message: RegExp;
}

/**
 * One case per finding code. The table is keyed by code, so adding a code to the catalogue without a
 * case here fails the "every code" test below.
 */
/** Codes only `bif plan` produces (the doors answer 413 instead); test/unit/cli/bif.test.ts covers them. */
const CLI_CODES = ['REQUEST_TOO_LARGE'] as const;

/** Codes only the preflight activity produces (it reads Azure); test/unit/activities/preflight.test.ts covers them. */
const PREFLIGHT_ACTIVITY_CODES = [
  'SOURCE_NOT_FOUND',
  'IMAGE_VERSION_EXISTS',
  'GALLERY_LOCATION_UNKNOWN',
  // Pure rules over what the activity reads; their cases are in "rules over what preflight reads" below.
  'SOURCE_REGION_MISMATCH',
  'IMAGE_IDENTIFIER_TAKEN',
  'IMAGE_DEFINITION_IDENTIFIER_MISMATCH',
  // Capacity during cutover, from the accounts' quotas and pools: test/unit/domain/capacity.test.ts.
  'CUTOVER_QUOTA_INSUFFICIENT',
  'CUTOVER_IN_PLACE_NOT_ALLOWED',
  'CUTOVER_POOL_QUOTA_INSUFFICIENT',
  // An old pool's bif-shrink marker names a build still running (test/unit/domain/capacity.test.ts).
  'CUTOVER_POOL_BUSY',
] as const;

const CASES: Record<
  Exclude<FindingCode, (typeof PREFLIGHT_ACTIVITY_CODES)[number] | (typeof CLI_CODES)[number]>,
  Case
> = {
  FIELD_REQUIRED: { edit: (i) => delete i.image.identifier, path: 'image.identifier', message: /required/ },
  FIELD_INVALID: {
    edit: (i) => (i.replication.headroomPercent = 2.5),
    path: 'replication.headroomPercent',
    message: /integer/,
  },
  FIELD_UNKNOWN: {
    edit: (i) => (i.image.galleryID = 'x'),
    path: 'image.galleryID',
    message: /did you mean "galleryId"/,
  },
  REQUEST_NOT_JSON: { text: '{"requestId": ', path: '', message: /not valid JSON/ },
  RESOURCE_ID_INVALID: {
    edit: (i) => (i.pools[0].account.id = 'batchrenderweu'),
    path: 'pools[0].account.id',
    message: /start with \/subscriptions/,
  },
  RESOURCE_ID_WRONG_TYPE: {
    edit: (i) => (i.source = { type: 'managedImage', id: i.source.id }),
    path: 'source.id',
    message: /Microsoft.Compute\/images id/,
  },
  NO_TARGET_REGIONS: { edit: (i) => (i.pools = []), path: 'pools', message: /replicate nowhere/ },
  REPLICA_LIMIT_EXCEEDED: {
    edit: (i) => (i.pools[0].targetDedicatedNodes = 40_000),
    path: 'pools[0]',
    message: /at most 100/,
  },
  REPLICA_HEADROOM_CAPPED: {
    edit: (i) => {
      i.pools[0].targetDedicatedNodes = 29_000;
      i.pools[0].resizeTimeout = undefined;
    },
    path: 'replication.headroomPercent',
    message: /capped at 100/,
  },
  POOL_ID_INVALID: {
    edit: (i) => (i.pools[0].poolId = 'p'.repeat(65)),
    path: 'pools[0].poolId',
    message: /65 characters/,
  },
  POOL_ID_DUPLICATE: {
    edit: (i) => i.pools.push({ ...i.pools[0], poolId: 'RENDER-1-4-0', replaces: undefined }),
    path: 'pools[1].poolId',
    message: /case-insensitive/,
  },
  POOL_REPLACES_ITSELF: {
    edit: (i) => (i.pools[0].replaces = i.pools[0].poolId),
    path: 'pools[0].replaces',
    message: /new id/,
  },
  POOL_REPLACES_REQUEST_POOL: {
    edit: (i) => i.pools.push({ ...i.pools[0], poolId: 'render-b', replaces: 'render-1-4-0' }),
    path: 'pools[1].replaces',
    message: /created and then deleted/,
  },
  POOL_REPLACES_SHARED: {
    edit: (i) => i.pools.push({ ...i.pools[0], poolId: 'render-b' }),
    path: 'pools[1].replaces',
    message: /one successor/,
  },
  HEALTH_SETTLE_EXCEEDS_TIMEOUT: {
    edit: (i) => (i.pools[0].health = { settleSeconds: 700, timeoutSeconds: 600 }),
    path: 'pools[0].health.settleSeconds',
    message: /could settle/,
  },
  POOL_HAS_NO_NODES: {
    edit: (i) => (i.pools[0].targetDedicatedNodes = 0),
    path: 'pools[0]',
    message: /created empty/,
  },
  ACCOUNT_ENDPOINT_MISMATCH: {
    edit: (i) => (i.pools[0].account.endpoint = 'https://batchrenderweu.eastus.batch.azure.com'),
    path: 'pools[0].account.endpoint',
    message: /expected https:\/\/batchrenderweu.westeurope.batch.azure.com/,
  },
  ACCOUNT_REGION_CONFLICT: {
    edit: (i) =>
      i.pools.push(
        poolInput({
          poolId: 'other',
          account: { ...i.pools[0].account, region: 'eastus', endpoint: 'https://x.example.net' },
        }),
      ),
    path: 'pools[1].account.region',
    message: /one region/,
  },
  RESIZE_TIMEOUT_INVALID: {
    edit: (i) => (i.pools[0].resizeTimeout = '15m'),
    path: 'pools[0].resizeTimeout',
    message: /ISO-8601/,
  },
  RESIZE_TIMEOUT_TOO_SHORT: {
    edit: (i) => {
      i.pools[0].targetDedicatedNodes = 2000;
      i.pools[0].resizeTimeout = 'PT20M';
    },
    path: 'pools[0].resizeTimeout',
    message: /PT30M or more/,
  },
  RESIZE_TIMEOUT_BELOW_BATCH_MINIMUM: {
    edit: (i) => (i.pools[0].resizeTimeout = 'PT2M'),
    path: 'pools[0].resizeTimeout',
    message: /PT5M/,
  },
  NODE_AGENT_SKU_INVALID: {
    edit: (i) => (i.pools[0].nodeAgentSkuId = 'ubuntu'),
    path: 'pools[0].nodeAgentSkuId',
    message: /look like/,
  },
  NODE_AGENT_SKU_OS_MISMATCH: {
    edit: (i) => (i.pools[0].nodeAgentSkuId = 'batch.node.windows amd64'),
    path: 'pools[0].nodeAgentSkuId',
    message: /is for Windows but image.osType is Linux/,
  },
  NODE_AGENT_SKU_UNKNOWN: {
    facts: {
      supportedImagesForAll: [
        { nodeAgentSKUId: 'batch.node.ubuntu 24.04', verificationType: 'verified', osType: 'linux' },
      ],
    },
    path: 'pools[0].nodeAgentSkuId',
    message: /supports: batch.node.ubuntu 24.04/,
  },
  NODE_AGENT_SKU_UNVERIFIED: {
    facts: {
      supportedImagesForAll: [
        { nodeAgentSKUId: 'batch.node.ubuntu 22.04', verificationType: 'unverified', osType: 'linux' },
      ],
    },
    path: 'pools[0].nodeAgentSkuId',
    message: /unverified/,
  },
  NODE_AGENT_SKU_END_OF_LIFE: {
    facts: {
      supportedImages: {
        [`/subscriptions/${SUB_A}/resourcegroups/rg-batch-weu/providers/microsoft.batch/batchaccounts/batchrenderweu`]:
          [
            {
              nodeAgentSKUId: 'batch.node.ubuntu 22.04',
              verificationType: 'verified',
              osType: 'linux',
              batchSupportEndOfLife: '2027-04-30T00:00:00Z',
            },
          ],
      },
    },
    path: 'pools[0].nodeAgentSkuId',
    message: /2027-04-30 \(153 days\)/,
  },
  POOL_TEMPLATE_UNKNOWN_PROPERTY: {
    edit: (i) => (i.pools[0].template = { networkConfiguration: { subnetID: SUBNET } }),
    path: 'pools[0].template.networkConfiguration.subnetID',
    message: /not a property of NetworkConfiguration .*did you mean "subnetId"/,
  },
  POOL_TEMPLATE_WRONG_TYPE: {
    edit: (i) => (i.pools[0].template = { taskSlotsPerNode: '4' }),
    path: 'pools[0].template.taskSlotsPerNode',
    message: /must be a number, not a string/,
  },
  POOL_TEMPLATE_BAD_ENUM: {
    edit: (i) => (i.pools[0].template = { taskSchedulingPolicy: { nodeFillType: 'Packed' } }),
    path: 'pools[0].template.taskSchedulingPolicy.nodeFillType',
    message: /Batch accepts "Spread", "Pack"\./,
  },
  POOL_TEMPLATE_READ_ONLY: {
    edit: (i) => (i.pools[0].template = { currentDedicatedNodes: 3 }),
    path: 'pools[0].template.currentDedicatedNodes',
    message: /read-only/,
  },
  POOL_TEMPLATE_MISSING_REQUIRED: {
    edit: (i) =>
      (i.pools[0].template = { mountConfiguration: [{ nfsMountConfiguration: { source: 'nfs:/x' } }] }),
    path: 'pools[0].template.mountConfiguration[0].nfsMountConfiguration.relativeMountPath',
    message: /required by the spec's NFSMountConfiguration/,
  },
  POOL_TEMPLATE_OWNED_FIELD: {
    edit: (i) =>
      (i.pools[0].template = {
        deploymentConfiguration: {
          virtualMachineConfiguration: { nodeAgentSkuId: 'batch.node.ubuntu 20.04' },
        },
      }),
    path: 'pools[0].template.deploymentConfiguration.virtualMachineConfiguration.nodeAgentSkuId',
    message: /set it once, on the pool/,
  },
  POOL_TEMPLATE_DUPLICATE_FIELD: {
    edit: (i) => {
      i.pools[0].startTask = { commandLine: 'a' };
      i.pools[0].template = { startTask: { commandLine: 'b' } };
    },
    path: 'pools[0].template.startTask',
    message: /both set; keep one/,
  },
  POOL_AUTOSCALE_MAX_NODES_REQUIRED: {
    edit: (i) => {
      i.pools[0].targetDedicatedNodes = 0;
      i.pools[0].template = { scaleSettings: { autoScale: { formula: '$TargetDedicatedNodes = 4;' } } };
    },
    path: 'pools[0].maxNodes',
    message: /declare maxNodes/,
  },
  POOL_AUTOSCALE_INTERVAL_INVALID: {
    edit: (i) => {
      i.pools[0].targetDedicatedNodes = 0;
      i.pools[0].maxNodes = 10;
      i.pools[0].template = {
        scaleSettings: { autoScale: { formula: '$TargetDedicatedNodes = 4;', evaluationInterval: 'PT1M' } },
      };
    },
    path: 'pools[0].template.scaleSettings.autoScale.evaluationInterval',
    message: /from PT5M to P7D/,
  },
  POOL_SCALE_SETTINGS_CONFLICT: {
    edit: (i) => (i.pools[0].maxNodes = 10),
    path: 'pools[0].maxNodes',
    message: /only for autoscale pools/,
  },
  BATCH_CLASSIC_NODE_COMMUNICATION: {
    edit: (i) => (i.pools[0].template = { targetNodeCommunicationMode: 'Classic' }),
    path: 'pools[0].template.targetNodeCommunicationMode',
    message: /retired classic node communication on 2026-03-31. Use "Simplified"/,
  },
  POOL_TEMPLATE_EMPTY_REQUIRED: {
    edit: (i) => {
      i.pools[0].targetDedicatedNodes = 0;
      i.pools[0].maxNodes = 10;
      i.pools[0].template = { scaleSettings: { autoScale: { formula: '' } } };
    },
    path: 'pools[0].template.scaleSettings.autoScale.formula',
    message: /is empty; the spec's AutoScaleSettings requires it/,
  },
  POOL_TEMPLATE_RESERVED_METADATA: {
    edit: (i) => (i.pools[0].template = { metadata: [{ name: 'bif-request', value: 'forged' }] }),
    path: 'pools[0].template.metadata[0].name',
    message: /names starting with "bif-" are the pipeline's/,
  },
  BATCH_POOL_CERTIFICATES_RETIRED: {
    edit: (i) => (i.pools[0].template = { certificates: [{ id: 'sha1-abc' }] }),
    path: 'pools[0].template.certificates',
    message: /retired pool certificates on 29 February 2024.*Key Vault VM extension/,
  },
  POOL_AUTOSCALE_ABOVE_MAX_NODES: {
    edit: (i) => {
      i.pools[0].targetDedicatedNodes = 0;
      i.pools[0].maxNodes = 10;
      i.pools[0].template = { scaleSettings: { autoScale: { formula: '$TargetDedicatedNodes = 11;' } } };
    },
    path: 'pools[0].template.scaleSettings.autoScale.formula',
    message: /sets \$TargetDedicatedNodes to 11, above maxNodes 10/,
  },
  SOURCE_NOT_GENERALIZED: {
    facts: { source: { osState: 'Specialized' } },
    path: 'source',
    message: /generalized images only/,
  },
  SOURCE_OS_TYPE_MISMATCH: {
    facts: { source: { osType: 'Windows' } },
    path: 'image.osType',
    message: /set image.osType to Windows/,
  },
  SOURCE_HYPERV_GENERATION_MISMATCH: {
    facts: { source: { hyperVGeneration: 'V1' } },
    path: 'image.hyperVGeneration',
    message: /set it to V1/,
  },
  OS_DISK_ENCRYPTED: {
    facts: { source: { osDiskEncrypted: true } },
    path: 'source',
    message: /Disable encryption/,
  },
  VM_EXTENSIONS_INSTALLED: {
    facts: { source: { extensions: ['CustomScript', 'AzureMonitorLinuxAgent'] } },
    path: 'source',
    message: /CustomScript, AzureMonitorLinuxAgent/,
  },
  UNMANAGED_DISKS: { facts: { source: { managedDisks: false } }, path: 'source', message: /managed disks/ },
  PURCHASE_PLAN_PRESENT: {
    facts: { source: { plan: { name: 'hpc', publisher: 'acme', product: 'render-os' } } },
    path: 'source',
    message: /acme\/render-os\/hpc/,
  },
  CROSS_SUBSCRIPTION_GALLERY: {
    edit: (i) => (i.pools[0].account = accountIn(SUB_B, 'batchother', 'westeurope')),
    path: 'pools[0].account.id',
    message: /az provider register -n Microsoft.Batch --subscription 6f1c2d3e/,
  },
  BATCH_PROVIDER_NOT_REGISTERED: {
    edit: (i) => (i.pools[0].account = accountIn(SUB_B, 'batchother', 'westeurope')),
    facts: { placement: { batchProviderRegistration: { [SUB_A]: 'NotRegistered' } } },
    path: 'pools[0].account.id',
    message: /Microsoft.Batch is NotRegistered/,
  },
  BATCH_PROVIDER_STATE_UNKNOWN: {
    edit: (i) => (i.pools[0].account = accountIn(SUB_B, 'batchother', 'westeurope')),
    facts: { placement: { batchProviderRegistration: { [SUB_A]: PROVIDER_STATE_UNREADABLE } } },
    path: 'pools[0].account.id',
    message: /Could not read whether Microsoft.Batch is registered .*az provider show -n Microsoft.Batch/,
  },
  DISK_SKU_NOT_SUPPORTED: {
    facts: { source: { diskSkus: { os: 'Premium_LRS', data0: 'UltraSSD_LRS' } } },
    path: 'source',
    message:
      /data0 disk is an Ultra Disk \(UltraSSD_LRS\).*can't use Ultra Disks. Move its data to a Premium SSD/,
  },
  IMAGE_NAME_INVALID: {
    edit: (i) => (i.image.galleryId = i.image.galleryId.replace('galHpcImages', 'gal-hpc-images')),
    path: 'image.galleryId',
    message: /no hyphens\), e.g. "gal_hpc_images"/,
  },
  IMAGE_IDENTIFIER_INVALID: {
    edit: (i) => (i.image.identifier.sku = '22.04 LTS.'),
    path: 'image.identifier.sku',
    message: /only English letters.*do not end it with a period/,
  },
  SECURITY_TYPE_REQUIRES_GEN2: {
    edit: (i) => (i.image.hyperVGeneration = 'V1'),
    facts: { source: { security: { securityType: 'TrustedLaunch' } } },
    path: 'image.hyperVGeneration',
    message: /TrustedLaunch but image.hyperVGeneration is V1.*Set image.hyperVGeneration to V2/,
  },
  ARM64_REQUIRES_GEN2: {
    edit: (i) => {
      i.image.hyperVGeneration = 'V1';
      i.pools[0].vmSize = 'Standard_D4ps_v5';
    },
    facts: { source: { security: { architecture: 'Arm64' } } },
    path: 'image.hyperVGeneration',
    message: /Arm64 VM sizes run generation 2 images only/,
  },
  DEFINITION_SECURITY_TYPE_MISMATCH: {
    facts: {
      source: {
        security: {
          securityType: 'TrustedLaunch',
          definition: { securityType: 'Standard', architecture: 'x64' },
        },
      },
    },
    path: 'image.definition',
    message:
      /source is TrustedLaunch but the existing image definition's SecurityType is Standard.*new image.definition/,
  },
  POOL_TEMPLATE_SECURITY_PROFILE: {
    edit: (i) =>
      (i.pools[0].template = {
        deploymentConfiguration: {
          virtualMachineConfiguration: { securityProfile: { encryptionAtHost: true } },
        },
      }),
    facts: { source: { security: { securityType: 'Standard', architecture: 'x64' } } },
    path: 'pools[0].template.deploymentConfiguration.virtualMachineConfiguration.securityProfile',
    message: /would make a Trusted Launch pool .* but the image is Standard.*Remove securityProfile/,
  },
  DEFINITION_SOURCE_NOT_SUPPORTED: {
    facts: {
      source: {
        security: {
          securityType: 'TrustedLaunch',
          definition: { securityType: 'TrustedLaunchSupported', architecture: 'x64' },
        },
      },
    },
    path: 'image.definition',
    message:
      /SecurityType is TrustedLaunchSupported.*use a TrustedLaunch definition for a Trusted Launch build VM, a Standard one for a Standard VM/,
  },
  DEFINITION_ARCHITECTURE_MISMATCH: {
    edit: (i) => (i.pools[0].vmSize = 'Standard_D4ps_v5'),
    facts: {
      source: {
        security: { architecture: 'Arm64', definition: { securityType: 'Standard', architecture: 'x64' } },
      },
    },
    path: 'image.definition',
    message: /source is Arm64 but the existing image definition is x64/,
  },
  BATCH_CONFIDENTIAL_VM_UNSUPPORTED: {
    facts: { source: { security: { securityType: 'ConfidentialVM' } } },
    path: 'source',
    message: /ConfidentialVM-only.*management API 2023-11-01.*Trusted Launch or Standard Gen2 VM/,
  },
  POOL_SECURITY_PROFILE_MISMATCH: {
    edit: (i) =>
      (i.pools[0].template = {
        deploymentConfiguration: {
          virtualMachineConfiguration: {
            securityProfile: { securityType: 'trustedLaunch', uefiSettings: { secureBootEnabled: false } },
          },
        },
      }),
    facts: { source: { security: { securityType: 'TrustedLaunch' } } },
    path: 'pools[0].template.deploymentConfiguration.virtualMachineConfiguration.securityProfile',
    message: /SecurityType TrustedLaunch\) needs .*secureBootEnabled":true.*remove it from the template/,
  },
  POOL_VM_SIZE_ARCHITECTURE_MISMATCH: {
    facts: { source: { security: { architecture: 'Arm64' } } },
    path: 'pools[0].vmSize',
    message: /image is Arm64 but VM size Standard_D4s_v5 is x64.*Standard_D4ps_v5/,
  },
  POOL_NODE_AGENT_ARCHITECTURE_MISMATCH: {
    edit: (i) => (i.pools[0].vmSize = 'Standard_D4ps_v5'),
    facts: {
      source: { security: { architecture: 'Arm64' } },
      supportedImagesForAll: [
        {
          nodeAgentSKUId: 'batch.node.ubuntu 22.04',
          imageReference: { publisher: 'canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts' },
          verificationType: 'verified',
          osType: 'linux',
        },
      ],
    },
    path: 'pools[0].nodeAgentSkuId',
    message: /node agent SKU "batch.node.ubuntu 22.04" serves x64 images/,
  },
  POOL_ARCHITECTURES_DIFFER: {
    edit: (i) =>
      i.pools.push({ ...i.pools[0], poolId: 'arm-pool', replaces: undefined, vmSize: 'Standard_E8ps_v5' }),
    path: 'pools',
    message: /mix x64 and Arm64 VM sizes \(Standard_D4s_v5, Standard_E8ps_v5\)/,
  },
  CROSS_TENANT: {
    edit: (i) => (i.pools[0].account = accountIn(SUB_B, 'batchother', 'westeurope')),
    facts: {
      placement: {
        batchProviderRegistration: { [SUB_A]: 'Registered' },
        tenants: { [SUB_A]: 'tenant-1', [SUB_B]: 'tenant-2' },
      },
    },
    path: 'pools[0].account.id',
    message: /same Entra tenant|share an Entra tenant/,
  },
  WAVE_REGION_MISSING: {
    edit: (i) => {
      i.pools.push({ ...i.pools[0], account: accountIn(SUB_A, 'batcheus', 'eastus'), poolId: 'eus' });
      i.waves = [{ regions: ['westeurope'] }];
    },
    path: 'waves',
    message: /region eastus has pools but is in no wave; add it/,
  },
  WAVE_REGION_DUPLICATE: {
    edit: (i) => (i.waves = [{ regions: ['westeurope'] }, { regions: ['West Europe'] }]),
    path: 'waves[1].regions[0]',
    message: /westeurope is already in wave 1; a region belongs to exactly one wave/,
  },
  WAVE_REGION_UNKNOWN: {
    edit: (i) => (i.waves = [{ regions: ['westeurope', 'eastus'] }]),
    path: 'waves[0].regions[1]',
    message: /eastus has no pool in this request \(pool regions: westeurope\)/,
  },
};

function run(c: Case) {
  if (c.text !== undefined) return checkBuildRequestText(c.text, { now: NOW });
  const input = exampleInput() as Record<string, any>;
  c.edit?.(input);
  return checkBuildRequest(input, { now: NOW, ...c.facts });
}

describe('finding codes', () => {
  it('has a case for every code in the catalogue', () => {
    expect([...Object.keys(CASES), ...PREFLIGHT_ACTIVITY_CODES, ...CLI_CODES].sort()).toEqual(
      Object.keys(FINDING_CODES).sort(),
    );
  });

  it.each(Object.entries(CASES) as [FindingCode, Case][])('%s', (code, c) => {
    const { summary } = run(c);
    const found = summary.findings.filter((f) => f.code === code);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(c.path);
    expect(found[0]!.severity).toBe(FINDING_CODES[code]);
    expect(found[0]!.message).toMatch(c.message);
    // A request is valid exactly when it has no error finding.
    expect(summary.valid).toBe(!summary.findings.some((f) => f.severity === 'error'));
  });

  it('the unchanged example has no findings at all', () => {
    expect(run({ path: '', message: /./ }).summary.findings).toEqual([]);
  });
});

describe('rules over what preflight reads', () => {
  const request = exampleRequest();
  it('SOURCE_REGION_MISMATCH: snapshots or a managed image elsewhere than the gallery, naming both regions', () => {
    const snapshots = exampleRequest('snapshot-source').source;
    const [f] = checkSourceRegion(snapshots, 'northeurope', 'westeurope');
    expect(f).toMatchObject({ code: 'SOURCE_REGION_MISMATCH', severity: 'error', path: 'source.osDisk' });
    expect(f!.message).toMatch(/in northeurope but the gallery .* is in westeurope.*--copy-start/);
    // A VM's disks are copied across by the pipeline; same region is fine.
    expect(checkSourceRegion(request.source, 'northeurope', 'westeurope')).toEqual([]);
    expect(checkSourceRegion(snapshots, 'westeurope', 'westeurope')).toEqual([]);
  });

  it('IMAGE_IDENTIFIER_TAKEN: another definition of the gallery has the same publisher/offer/sku', () => {
    const [f] = checkDefinitionIdentity(request.image, [
      { name: 'render-old', publisher: 'Contoso', offer: 'render', sku: '2204' },
    ]);
    expect(f).toMatchObject({ code: 'IMAGE_IDENTIFIER_TAKEN', severity: 'error', path: 'image.identifier' });
    expect(f!.message).toMatch(/render-old .*build into image.definition "render-old"/);
  });

  it('IMAGE_DEFINITION_IDENTIFIER_MISMATCH: the definition exists with another publisher/offer/sku', () => {
    const [f] = checkDefinitionIdentity(request.image, [
      { name: 'ubuntu2204-render', publisher: 'contoso', offer: 'render', sku: '2404' },
    ]);
    expect(f).toMatchObject({ code: 'IMAGE_DEFINITION_IDENTIFIER_MISMATCH', path: 'image.identifier' });
    expect(f!.message).toMatch(/set image.identifier to contoso\/render\/2404/);
    expect(
      checkDefinitionIdentity(request.image, [
        { name: 'ubuntu2204-render', publisher: 'contoso', offer: 'render', sku: '2204' },
      ]),
    ).toEqual([]);
  });
});

describe('image name rules beyond one case each', () => {
  const codesAt = (edit: (i: Record<string, any>) => void) =>
    run({ edit, path: '', message: /./ }).summary.findings.map((f) => [f.code, f.path]);

  it('a version part above 2147483647 is not a valid Azure version name', () => {
    expect(codesAt((i) => (i.image.version = '1.0.2147483648'))).toContainEqual([
      'IMAGE_NAME_INVALID',
      'image.version',
    ]);
    expect(codesAt((i) => (i.image.version = '2147483647.0.0'))).toEqual([]);
  });

  it('offer and sku stop at 64 characters, publisher at 128; a gallery name may not end with a period', () => {
    expect(codesAt((i) => (i.image.identifier.publisher = 'p'.repeat(128)))).toEqual([]);
    expect(codesAt((i) => (i.image.identifier.offer = 'contoso_render-2204.lts'))).toEqual([]);
    expect(
      codesAt((i) => (i.image.galleryId = i.image.galleryId.replace('galHpcImages', 'galHpcImages.'))),
    ).toContainEqual(['IMAGE_NAME_INVALID', 'image.galleryId']);
  });
});
