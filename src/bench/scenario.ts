import { readScenario, type Scenario } from '../local/simulator/scenario';
import type { BuildRequestInput } from '../domain/buildRequest';

/**
 * The benchmark world: the demo scenario with Batch accounts in five regions whose replication takes
 * very different times (skew is what separates per-region pipelining from a barrier) — the big pool
 * sits near the gallery, the far regions replicate slowly — and quotas large enough for bursts.
 */
export const SUB = '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f';
export const REGIONS: { name: string; account: string; replicationMinutes: number; nodes: number }[] = [
  { name: 'westeurope', account: 'batchrenderweu', replicationMinutes: 15, nodes: 3000 },
  { name: 'eastus', account: 'batchrendereus', replicationMinutes: 40, nodes: 1500 },
  { name: 'southeastasia', account: 'batchrendersea', replicationMinutes: 75, nodes: 800 },
  { name: 'australiaeast', account: 'batchrenderaue', replicationMinutes: 120, nodes: 400 },
  { name: 'brazilsouth', account: 'batchrenderbrs', replicationMinutes: 150, nodes: 200 },
];

export function benchScenario(): Scenario {
  const scenario = readScenario('demo');
  scenario.name = 'bench-five-regions';
  const sub = scenario.subscriptions[0]!;
  for (const r of REGIONS) {
    if (!sub.resourceGroups.some((g) => g.name === `rg-batch-${r.account}`))
      sub.resourceGroups.push({ name: `rg-batch-${r.account}`, location: r.name });
  }
  scenario.batchAccounts = REGIONS.map((r) => ({
    id: `/subscriptions/${SUB}/resourceGroups/rg-batch-${r.account}/providers/Microsoft.Batch/batchAccounts/${r.account}`,
    region: r.name,
    dedicatedQuota: 1_000_000,
    lowPriorityQuota: 1_000_000,
    // 200 pipelines' pools live at once in the engine section (Batch's default is 100 per account).
    poolQuota: 1_000,
  }));
  scenario.timing = {
    replicationMinutes: Object.fromEntries(REGIONS.map((r) => [r.name, r.replicationMinutes])),
  };
  return scenario;
}

export function benchRequest(
  id: string,
  version: string,
  nodes?: (r: (typeof REGIONS)[number]) => number,
  regions = REGIONS,
  definition = 'bench-image',
): BuildRequestInput {
  return {
    requestId: id,
    source: {
      type: 'virtualMachine',
      id: `/subscriptions/${SUB}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`,
    },
    image: {
      galleryId: `/subscriptions/${SUB}/resourceGroups/rg-hpc-images/providers/Microsoft.Compute/galleries/galHpcImages`,
      definition,
      version,
      osType: 'Linux',
      hyperVGeneration: 'V2',
      // publisher/offer/sku are unique within a gallery: one sku per definition.
      identifier: {
        publisher: 'contoso',
        offer: 'bench',
        sku: definition === 'bench-image' ? '1' : definition,
      },
    },
    replication: {
      storageAccountType: 'Standard_LRS',
      headroomPercent: 20,
      extraRegions: [],
      excludeFromLatest: false,
    },
    pools: regions.map((r) => ({
      account: {
        id: `/subscriptions/${SUB}/resourceGroups/rg-batch-${r.account}/providers/Microsoft.Batch/batchAccounts/${r.account}`,
        endpoint: `https://${r.account}.${r.name}.batch.azure.com`,
        region: r.name,
      },
      poolId: `${id}-${r.name}`.slice(0, 64),
      vmSize: 'Standard_D4s_v5',
      targetDedicatedNodes: nodes ? nodes(r) : r.nodes,
      nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    })),
    retention: { keepVersions: 1000, deleteIntermediates: true },
  };
}
