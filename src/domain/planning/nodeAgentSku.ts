import { finding, type Finding } from '../findings';
import type { OsType } from '../buildRequest';

/** One entry of Batch's "list supported images" answer, in its wire casing. */
export interface SupportedImage {
  nodeAgentSKUId: string;
  imageReference?: { publisher?: string; offer?: string; sku?: string; version?: string };
  verificationType: 'verified' | 'unverified';
  osType: 'linux' | 'windows';
  capabilities?: string[];
  batchSupportEndOfLife?: string;
}

/** Warn this long before a node agent SKU's end of Batch support. */
const END_OF_LIFE_WARNING_DAYS = 180;
const DAY_MS = 86_400_000;

const SKU_PATTERN = /^batch\.node\.[a-z0-9]+(?:[ .][a-z0-9._-]+)*$/i;

/** The OS a node agent SKU is for, from its name: `batch.node.windows amd64` is Windows, the rest Linux. */
export function osOfNodeAgentSku(sku: string): OsType | undefined {
  if (!SKU_PATTERN.test(sku)) return undefined;
  return /^batch\.node\.windows\b/i.test(sku) ? 'Windows' : 'Linux';
}

export function checkNodeAgentSku(
  sku: string,
  imageOsType: OsType,
  path: string,
  supported: readonly SupportedImage[] | undefined,
  now: Date,
): Finding[] {
  const skuOs = osOfNodeAgentSku(sku);
  if (!skuOs) {
    return [
      finding(
        'NODE_AGENT_SKU_INVALID',
        path,
        `${path} "${sku}" is not a node agent SKU id; they look like "batch.node.ubuntu 22.04" or "batch.node.windows amd64".`,
      ),
    ];
  }
  if (skuOs !== imageOsType) {
    const example =
      imageOsType === 'Windows'
        ? '"batch.node.windows amd64"'
        : 'a Linux SKU such as "batch.node.ubuntu 22.04"';
    return [
      finding(
        'NODE_AGENT_SKU_OS_MISMATCH',
        path,
        `${path} "${sku}" is for ${skuOs} but image.osType is ${imageOsType}; use ${example}.`,
      ),
    ];
  }
  if (!supported) return [];

  const entries = supported.filter((e) => e.nodeAgentSKUId.toLowerCase() === sku.toLowerCase());
  if (entries.length === 0) {
    const forOs = [
      ...new Set(
        supported.filter((e) => e.osType === imageOsType.toLowerCase()).map((e) => e.nodeAgentSKUId),
      ),
    ];
    return [
      finding(
        'NODE_AGENT_SKU_UNKNOWN',
        path,
        `${path} "${sku}" is not in the Batch account's supported images; ${imageOsType} SKUs it supports: ${forOs.join(', ') || 'none'}.`,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (entries.every((e) => e.verificationType === 'unverified')) {
    findings.push(
      finding(
        'NODE_AGENT_SKU_UNVERIFIED',
        path,
        `${path} "${sku}" is only listed for unverified images: Batch does not guarantee compatibility. Prefer a SKU with verified images.`,
      ),
    );
  }
  findings.push(...checkEndOfLife(sku, path, entries, now));
  return findings;
}

/** Supported until the last of its images' end-of-life dates; no date means no announced end. */
function checkEndOfLife(sku: string, path: string, entries: readonly SupportedImage[], now: Date): Finding[] {
  const endDates = entries.map((e) => e.batchSupportEndOfLife);
  if (!endDates.every((d) => d !== undefined)) return [];
  const end = new Date(Math.max(...endDates.map((d) => Date.parse(d!))));
  const daysLeft = Math.floor((end.getTime() - now.getTime()) / DAY_MS);
  const date = end.toISOString().slice(0, 10);
  if (daysLeft < 0)
    return [
      finding(
        'NODE_AGENT_SKU_END_OF_LIFE',
        path,
        `${path} "${sku}" reached Batch end of support on ${date}; move to a newer SKU.`,
        'error',
      ),
    ];
  if (daysLeft > END_OF_LIFE_WARNING_DAYS) return [];
  return [
    finding(
      'NODE_AGENT_SKU_END_OF_LIFE',
      path,
      `${path} "${sku}" loses Batch support on ${date} (${daysLeft} days); plan the move to a newer SKU.`,
    ),
  ];
}
