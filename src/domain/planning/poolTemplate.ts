import { finding, type Finding } from '../findings';
import type { PoolRequest } from '../buildRequest';
import { parseDurationMs } from '../duration';
import { checkAgainstSpec } from '../poolTemplate/schemaCheck';
import type { BuildRequest } from '../buildRequest';
import {
  effectivePool,
  isAutoScale,
  redactPoolSecrets,
  type EffectivePool,
} from '../poolTemplate/effectivePool';
import {
  checkCertificates,
  checkFormulaAboveMax,
  checkReservedMetadata,
  pipelinePoolMetadata,
} from '../poolTemplate/templateRules';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON, checked against the spec before use
type Json = Record<string, any>;

const VMC = 'deploymentConfiguration.virtualMachineConfiguration';
/** What the pipeline fills in: the template need not (and, where it differs, must not) set it. */
const OWNED = new Set([`${VMC}.imageReference`, `${VMC}.nodeAgentSkuId`, 'vmSize']);

/** Batch's autoscale evaluation interval bounds (PoolEnableAutoScaleParameter / AutoScaleSettings). */
const MIN_INTERVAL_MS = 5 * 60_000;
const MAX_INTERVAL_MS = 168 * 60 * 60_000;
/** https://learn.microsoft.com/azure/batch/simplified-compute-node-communication */
export const CLASSIC_COMMUNICATION_RETIRED = '2026-03-31';

/** Nodes a pool's region must serve: an autoscale pool's declared maximum, else its fixed targets. */
export function poolCapacity(
  pool: Pick<PoolRequest, 'template' | 'maxNodes' | 'targetDedicatedNodes' | 'targetLowPriorityNodes'>,
): number {
  if (isAutoScale(pool.template)) return pool.maxNodes ?? 0;
  return pool.targetDedicatedNodes + pool.targetLowPriorityNodes;
}

/** Every rule about one pool's template; `resizeTimeout` is the planned one. */
export function checkPoolTemplate(
  pool: PoolRequest,
  resizeTimeout: string,
  at: string,
  now: Date,
): Finding[] {
  const template = pool.template as Json | undefined;
  const findings: Finding[] = [];
  if (isAutoScale(template) || pool.maxNodes !== undefined) findings.push(...checkAutoScale(pool, at));
  if (!template) return findings;
  const path = `${at}.template`;
  findings.push(...checkAgainstSpec(template, path, OWNED));
  findings.push(...checkOwned(pool, template, resizeTimeout, path));
  findings.push(...checkRetired(template, path, now));
  findings.push(...checkReservedMetadata(template, path));
  findings.push(...checkCertificates(template, path));
  return findings;
}

function checkOwned(pool: PoolRequest, template: Json, resizeTimeout: string, path: string): Finding[] {
  const out: Finding[] = [];
  const owned = (field: string, message: string) =>
    out.push(finding('POOL_TEMPLATE_OWNED_FIELD', `${path}.${field}`, `${path}.${field} ${message}`));
  const vmc = template.deploymentConfiguration?.virtualMachineConfiguration as Json | undefined;
  if (vmc?.imageReference !== undefined)
    owned(`${VMC}.imageReference`, 'is set by the pipeline to the image version it builds; remove it.');
  if (vmc?.nodeAgentSkuId !== undefined && vmc.nodeAgentSkuId !== pool.nodeAgentSkuId)
    owned(
      `${VMC}.nodeAgentSkuId`,
      `is "${vmc.nodeAgentSkuId}" but the pool's nodeAgentSkuId is "${pool.nodeAgentSkuId}"; set it once, on the pool.`,
    );
  if (template.deploymentConfiguration?.cloudServiceConfiguration !== undefined)
    owned(
      'deploymentConfiguration.cloudServiceConfiguration',
      'cannot be used: Batch retired Cloud Services pools on 29 February 2024, and the pipeline makes pools from gallery images (virtualMachineConfiguration).',
    );
  if (template.vmSize !== undefined && String(template.vmSize).toLowerCase() !== pool.vmSize.toLowerCase())
    owned(
      'vmSize',
      `is "${template.vmSize}" but the pool's vmSize is "${pool.vmSize}"; set it once, on the pool.`,
    );
  const fixed = template.scaleSettings?.fixedScale as Json | undefined;
  if (fixed?.resizeTimeout !== undefined && fixed.resizeTimeout !== resizeTimeout)
    owned(
      'scaleSettings.fixedScale.resizeTimeout',
      `is ${fixed.resizeTimeout} but the planned resizeTimeout is ${resizeTimeout} (at least 15 minutes per 1000 nodes); set pools[].resizeTimeout instead.`,
    );
  for (const key of ['targetDedicatedNodes', 'targetLowPriorityNodes'] as const)
    if (fixed?.[key] !== undefined && fixed[key] !== pool[key])
      owned(
        `scaleSettings.fixedScale.${key}`,
        `is ${fixed[key]} but the pool's ${key} is ${pool[key]}; set it once, on the pool (replicas are planned from it).`,
      );
  const dup = (field: string, message: string) =>
    out.push(finding('POOL_TEMPLATE_DUPLICATE_FIELD', `${path}.${field}`, `${path}.${field} ${message}`));
  if (template.startTask !== undefined && pool.startTask !== undefined)
    dup('startTask', "and the pool's startTask are both set; keep one.");
  if (
    template.taskSlotsPerNode !== undefined &&
    pool.taskSlotsPerNode !== 1 &&
    template.taskSlotsPerNode !== pool.taskSlotsPerNode
  )
    dup(
      'taskSlotsPerNode',
      `is ${template.taskSlotsPerNode} but the pool's taskSlotsPerNode is ${pool.taskSlotsPerNode}; keep one.`,
    );
  return out;
}

function checkAutoScale(pool: PoolRequest, at: string): Finding[] {
  const out: Finding[] = [];
  const scale = (pool.template as Json | undefined)?.scaleSettings as Json | undefined;
  if (!scale?.autoScale)
    return [
      finding(
        'POOL_SCALE_SETTINGS_CONFLICT',
        `${at}.maxNodes`,
        `${at}.maxNodes is only for autoscale pools: add template.scaleSettings.autoScale with a formula, or remove maxNodes.`,
      ),
    ];
  if (scale.fixedScale)
    out.push(
      finding(
        'POOL_SCALE_SETTINGS_CONFLICT',
        `${at}.template.scaleSettings`,
        `${at}.template.scaleSettings has both fixedScale and autoScale; Batch accepts one. Keep autoScale (with maxNodes) or fixed targets.`,
      ),
    );
  if (pool.targetDedicatedNodes + pool.targetLowPriorityNodes > 0)
    out.push(
      finding(
        'POOL_SCALE_SETTINGS_CONFLICT',
        at,
        `${at} sets target nodes and an autoscale formula; the formula decides the targets. Remove targetDedicatedNodes/targetLowPriorityNodes and declare maxNodes.`,
      ),
    );
  if (pool.maxNodes === undefined)
    out.push(
      finding(
        'POOL_AUTOSCALE_MAX_NODES_REQUIRED',
        `${at}.maxNodes`,
        `${at} autoscales: declare maxNodes, the most nodes its formula may ask for, so gallery replicas can be planned (1 per 300 nodes).`,
      ),
    );
  out.push(
    ...checkFormulaAboveMax(
      scale.autoScale.formula,
      pool.maxNodes,
      `${at}.template.scaleSettings.autoScale.formula`,
    ),
  );
  const interval = scale.autoScale.evaluationInterval as unknown;
  if (interval !== undefined) {
    const ms = typeof interval === 'string' ? parseDurationMs(interval) : undefined;
    if (ms === undefined || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS)
      out.push(
        finding(
          'POOL_AUTOSCALE_INTERVAL_INVALID',
          `${at}.template.scaleSettings.autoScale.evaluationInterval`,
          `${at}.template.scaleSettings.autoScale.evaluationInterval "${String(interval)}" must be an ISO-8601 duration from PT5M to P7D (Batch refuses others).`,
        ),
      );
  }
  return out;
}

function checkRetired(template: Json, path: string, now: Date): Finding[] {
  if (template.targetNodeCommunicationMode !== 'Classic') return [];
  const retired = now.getTime() >= Date.parse(`${CLASSIC_COMMUNICATION_RETIRED}T00:00:00Z`);
  return [
    finding(
      'BATCH_CLASSIC_NODE_COMMUNICATION',
      `${path}.targetNodeCommunicationMode`,
      `${path}.targetNodeCommunicationMode is Classic: Batch ${retired ? 'retired' : 'retires'} classic node communication on ${CLASSIC_COMMUNICATION_RETIRED}. Use "Simplified" (outbound 443 to BatchNodeManagement only; see https://learn.microsoft.com/azure/batch/simplified-compute-node-communication).`,
      retired ? undefined : 'warning',
    ),
  ];
}

/**
 * What `bif plan` shows of a templated pool: the pool the pipeline would send to Batch (the version id
 * is the one this request names; "auto" until preflight picks it), secrets redacted.
 */
export function templatePlan(
  request: BuildRequest,
  pool: PoolRequest,
  resizeTimeout: string,
): { effectivePool?: EffectivePool } {
  if (!pool.template) return {};
  const { galleryId, definition, version } = request.image;
  const sent = effectivePool({
    ...pool,
    imageVersionId: `${galleryId}/images/${definition}/versions/${version}`,
    resizeTimeout,
    metadata: pipelinePoolMetadata(request.requestId, version),
  });
  return { effectivePool: redactPoolSecrets(sent) };
}
