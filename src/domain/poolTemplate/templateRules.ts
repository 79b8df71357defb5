import { finding, type Finding } from '../findings';

/*
 * Template rules beyond the spec's shape: names the pipeline reserves, properties Batch retired, and
 * autoscale formulas that contradict the declared maxNodes. Pure: planning and intake run them.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON, checked against the spec before use
type Json = Record<string, any>;

/** Metadata names the pipeline writes on every pool it makes (the link from a pool to its build). */
export const RESERVED_METADATA_PREFIX = 'bif-';

/** The metadata the pipeline sends with every pool: planning, the adapter and `bif plan` share it. */
export function pipelinePoolMetadata(requestId: string, version: string): { name: string; value: string }[] {
  return [
    { name: 'bif-request', value: requestId },
    { name: 'bif-image-version', value: version },
  ];
}

export function checkReservedMetadata(template: Json, path: string): Finding[] {
  const items: unknown[] = Array.isArray(template.metadata) ? (template.metadata as unknown[]) : [];
  return items.flatMap((item, i) => {
    const name = (item as Json | null)?.name as unknown;
    if (typeof name !== 'string' || !name.toLowerCase().startsWith(RESERVED_METADATA_PREFIX)) return [];
    const at = `${path}.metadata[${i}].name`;
    return [
      finding(
        'POOL_TEMPLATE_RESERVED_METADATA',
        at,
        `${at} is "${name}": metadata names starting with "${RESERVED_METADATA_PREFIX}" are the pipeline's (it tags each pool with its request and image version). Rename it.`,
      ),
    ];
  });
}

/** https://learn.microsoft.com/azure/batch/batch-certificate-migration-guide */
export const POOL_CERTIFICATES_RETIRED = '29 February 2024';

export function checkCertificates(template: Json, path: string): Finding[] {
  if (template.certificates === undefined) return [];
  const at = `${path}.certificates`;
  return [
    finding(
      'BATCH_POOL_CERTIFICATES_RETIRED',
      at,
      `${at}: Batch retired pool certificates on ${POOL_CERTIFICATES_RETIRED}. Remove them and install certificates with the Azure Key Vault VM extension (template.deploymentConfiguration.virtualMachineConfiguration.extensions) and a pool identity; see https://learn.microsoft.com/azure/batch/batch-certificate-migration-guide.`,
    ),
  ];
}

/** `$TargetDedicatedNodes = 5000;` (or low-priority): a literal target the formula always asks for. */
const LITERAL_TARGET = /\$(TargetDedicatedNodes|TargetLowPriorityNodes)\s*=\s*(\d+)\s*(?=;|$)/gm;

export function checkFormulaAboveMax(formula: unknown, maxNodes: number | undefined, at: string): Finding[] {
  if (typeof formula !== 'string' || maxNodes === undefined) return [];
  const out: Finding[] = [];
  for (const [, variable, literal] of formula.matchAll(LITERAL_TARGET))
    if (Number(literal) > maxNodes)
      out.push(
        finding(
          'POOL_AUTOSCALE_ABOVE_MAX_NODES',
          at,
          `${at} sets $${variable} to ${literal}, above maxNodes ${maxNodes}: gallery replicas are planned for ${maxNodes} nodes. Raise maxNodes or cap the formula (e.g. min(${maxNodes}, …)).`,
          'warning',
        ),
      );
  return out;
}
