/**
 * VM size → quota family and vCPUs, as Microsoft.Compute reports them (Resource SKUs API,
 * GET /subscriptions/{s}/providers/Microsoft.Compute/skus: `family` and the `vCPUs` capability;
 * https://learn.microsoft.com/rest/api/compute/resource-skus/list) and as the VM size pages list them
 * (https://learn.microsoft.com/azure/virtual-machines/sizes/overview). Batch counts a pool's dedicated
 * cores against `dedicatedCoreQuotaPerVMFamily` under the same family names
 * (https://learn.microsoft.com/azure/batch/batch-quota-limit#dedicated-quota-per-vm-family).
 * Keys are lower case: Azure compares VM size names case-insensitively.
 */
export interface VmSizeFacts {
  family: string;
  vCPUs: number;
}

const TABLE: Record<string, VmSizeFacts> = {
  standard_a1: { family: 'standardA0_A7Family', vCPUs: 1 },
  standard_d4: { family: 'standardDFamily', vCPUs: 8 },
  standard_d2s_v3: { family: 'standardDSv3Family', vCPUs: 2 },
  standard_d4s_v3: { family: 'standardDSv3Family', vCPUs: 4 },
  standard_d2s_v5: { family: 'standardDSv5Family', vCPUs: 2 },
  standard_d4s_v5: { family: 'standardDSv5Family', vCPUs: 4 },
  standard_d8s_v5: { family: 'standardDSv5Family', vCPUs: 8 },
  standard_d4ds_v5: { family: 'standardDDSv5Family', vCPUs: 4 },
  standard_d4ps_v5: { family: 'standardDPSv5Family', vCPUs: 4 },
  standard_d2pds_v5: { family: 'standardDPDSv5Family', vCPUs: 2 },
  standard_d16pls_v6: { family: 'standardDPLSv6Family', vCPUs: 16 },
  standard_e8ps_v5: { family: 'standardEPSv5Family', vCPUs: 8 },
  standard_e8pds_v5: { family: 'standardEPDSv5Family', vCPUs: 8 },
  standard_b2pts_v2: { family: 'standardBPSv2Family', vCPUs: 2 },
  standard_dc4as_v5: { family: 'standardDCASv5Family', vCPUs: 4 },
  standard_f8: { family: 'standardFFamily', vCPUs: 8 },
  standard_hb120rs_v3: { family: 'standardHBrsv3Family', vCPUs: 120 },
  standard_hb176rs_v4: { family: 'standardHBv4Family', vCPUs: 176 },
  standard_nc24ads_a100_v4: { family: 'StandardNCADSA100v4Family', vCPUs: 24 },
  standard_np10s: { family: 'standardNPSFamily', vCPUs: 10 },
};

/** The size's family and vCPUs; undefined for a size this table does not know (capacity is then unchecked). */
export function vmSizeFacts(vmSize: string): VmSizeFacts | undefined {
  return TABLE[vmSize.toLowerCase()];
}

/** Every size the table knows (tests check that scenario sizes are in it). */
export function knownVmSizes(): string[] {
  return Object.keys(TABLE);
}
