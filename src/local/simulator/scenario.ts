import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SupportedImage } from '../../domain/planning/nodeAgentSku';
import type { FaultRule } from './faults';
import type { TimingOverrides } from './timing';
import type { ArmResource, TaskRule, WorldState } from './model';
import { emptyWorld } from './model';
import { normalizeId } from './world';
import { diskSecurity, seedVm } from './scenarioVm';
import { seedCoreQuotas } from './batch/coreQuotas';

/**
 * A scenario seeds the simulated world: subscriptions and resource groups, build VMs with their disks,
 * existing snapshots and galleries, Batch accounts with their supported images, and faults.
 */
export interface Scenario {
  name: string;
  description?: string;
  subscriptions: {
    id: string;
    tenantId?: string;
    resourceGroups: { name: string; location: string }[];
    providers?: Record<string, string>;
  }[];
  virtualMachines?: ScenarioVm[];
  snapshots?: {
    id: string;
    location: string;
    osType?: string;
    sizeGb: number;
    hyperVGeneration?: string;
    /** DiskRP `securityProfile.securityType`, e.g. TrustedLaunch (absent: Standard). */
    securityType?: string;
    /** DiskRP `supportedCapabilities.architecture` (absent: not reported). */
    architecture?: 'x64' | 'Arm64';
  }[];
  galleries?: { id: string; location: string }[];
  batchAccounts?: {
    id: string;
    region: string;
    /** Cores (nodes × the VM size's vCPUs), as `dedicatedCoreQuota` / `lowPriorityCoreQuota` on the account. */
    dedicatedQuota?: number;
    lowPriorityQuota?: number;
    /** `dedicatedCoreQuotaPerVMFamily`: enforced (`dedicatedCoreQuotaPerVMFamilyEnforced`) when given. */
    dedicatedCoreQuotaPerVMFamily?: { name: string; coreQuota: number }[];
    poolQuota?: number;
    activeJobAndJobScheduleQuota?: number;
    /** "default" (the bundled list), or the list itself. */
    supportedImages?: 'default' | SupportedImage[];
    /** How tasks behave (run time, exit code) by job id prefix or pool: see batch/jobModel.ts. */
    taskRules?: TaskRule[];
  }[];
  faults?: FaultRule[];
  timing?: TimingOverrides;
  /** Items per page of ARM list answers. */
  pageSize?: number;
}

export interface ScenarioVm {
  id: string;
  location: string;
  osType: 'Linux' | 'Windows';
  osState: 'Generalized' | 'Specialized';
  hyperVGeneration?: 'V1' | 'V2';
  vmSize?: string;
  osDisk: { name: string; sizeGb: number; encrypted?: boolean; unmanaged?: boolean; sku?: string };
  /** `sku`: the disk's storage type, Premium_LRS unless given (e.g. PremiumV2_LRS, UltraSSD_LRS). */
  dataDisks?: { lun: number; name: string; sizeGb: number; sku?: string }[];
  extensions?: { name: string; publisher: string; type: string }[];
  plan?: { name: string; publisher: string; product: string };
  imageReference?: Record<string, string>;
  /**
   * The VM's `securityProfile.securityType` (absent: Standard). Its OS disk reports the disk form:
   * TrustedLaunch, or ConfidentialVM_VMGuestStateOnlyEncryptedWithPlatformKey for a Confidential VM.
   */
  securityType?: 'TrustedLaunch' | 'ConfidentialVM';
  uefiSettings?: { secureBootEnabled?: boolean; vTpmEnabled?: boolean };
  /** The OS disk's `supportedCapabilities.architecture` (absent: not reported, as for older disks). */
  architecture?: 'x64' | 'Arm64';
}

const SCENARIO_DIR = join(__dirname, 'scenarios');

export function readScenario(pathOrName: string): Scenario {
  const path = pathOrName.endsWith('.json') ? pathOrName : join(SCENARIO_DIR, `${pathOrName}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as Scenario;
}

function defaultSupportedImages(): SupportedImage[] {
  return (
    JSON.parse(readFileSync(join(SCENARIO_DIR, 'supported-images.json'), 'utf8')) as {
      value: SupportedImage[];
    }
  ).value;
}

const TENANT = '72f988bf-0000-4000-8000-000000000001';

/** Builds the initial world of a scenario. Seeded resources are already provisioned. */
export function seedWorld(scenario: Scenario, nowMs: number): WorldState {
  const state = emptyWorld();
  for (const sub of scenario.subscriptions) {
    state.subscriptions[sub.id.toLowerCase()] = {
      tenantId: sub.tenantId ?? TENANT,
      resourceGroups: Object.fromEntries(
        sub.resourceGroups.map((g) => [g.name.toLowerCase(), { name: g.name, location: g.location }]),
      ),
      providers: Object.fromEntries(
        Object.entries({
          'Microsoft.Compute': 'Registered',
          'Microsoft.Batch': 'Registered',
          ...(sub.providers ?? {}),
        }).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    };
  }
  const put = (resource: Omit<ArmResource, 'createdAtSimMs'>) => {
    state.resources[normalizeId(resource.id)] = { ...resource, createdAtSimMs: nowMs };
  };
  for (const vm of scenario.virtualMachines ?? []) seedVm(vm, put);
  for (const snap of scenario.snapshots ?? []) {
    put({
      id: snap.id,
      type: 'microsoft.compute/snapshots',
      name: snap.id.split('/').at(-1)!,
      location: snap.location,
      sizeGb: snap.sizeGb,
      properties: {
        osType: snap.osType,
        hyperVGeneration: snap.hyperVGeneration ?? 'V2',
        diskSizeGB: snap.sizeGb,
        creationData: { createOption: 'Import' },
        diskState: 'Unattached',
        encryption: { type: 'EncryptionAtRestWithPlatformKey' },
        ...diskSecurity(snap.securityType, snap.architecture),
      },
    });
  }
  for (const gallery of scenario.galleries ?? []) {
    const name = gallery.id.split('/').at(-1)!;
    put({
      id: gallery.id,
      type: 'microsoft.compute/galleries',
      name,
      location: gallery.location,
      properties: { identifier: { uniqueName: name.toUpperCase() } },
    });
  }
  const images = defaultSupportedImages();
  for (const account of scenario.batchAccounts ?? []) {
    const name = account.id.split('/').at(-1)!;
    state.batchAccounts[name.toLowerCase()] = {
      name,
      id: account.id,
      region: account.region,
      subscriptionId: account.id.split('/')[2]!,
      ...seedCoreQuotas(account),
      supportedImages:
        account.supportedImages === undefined || account.supportedImages === 'default'
          ? images
          : account.supportedImages,
      pools: {},
      ...(account.taskRules ? { taskRules: account.taskRules } : {}),
    };
  }
  state.faults = (scenario.faults ?? []).map((f, i) => ({ ...f, id: f.id ?? `scenario-fault-${i + 1}` }));
  return state;
}
