import type { PoolSpec } from '../batchPool';

/*
 * The pool the pipeline sends to the Batch management API (Pool.properties of BatchManagement.json
 * 2023-11-01, plus the pool identity): the request's template, with what the pipeline owns laid over it
 * — the image version it built, the node agent SKU, the planned scale (fixed targets with the planned
 * resizeTimeout, or the template's autoscale formula), the security profile the image needs, and the
 * metadata that ties the pool to its build. Pure: `bif plan` shows it, the adapter sends it.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON, checked against the spec before use
type Json = Record<string, any>;

export interface EffectivePool {
  identity?: Json;
  properties: Json;
}

const SCOPE: Record<string, string> = { task: 'Task', pool: 'Pool' };
const ELEVATION: Record<string, string> = { nonadmin: 'NonAdmin', admin: 'Admin' };

/** The request's own startTask (data-plane casing) in the management API's casing. */
function startTaskOf(spec: PoolSpec): Json | undefined {
  const task = spec.startTask;
  if (!task) return undefined;
  const auto = task.userIdentity?.autoUser;
  return {
    commandLine: task.commandLine,
    waitForSuccess: task.waitForSuccess,
    maxTaskRetryCount: task.maxTaskRetryCount,
    ...(task.environmentSettings.length ? { environmentSettings: task.environmentSettings } : {}),
    ...(auto
      ? {
          userIdentity: {
            autoUser: { scope: SCOPE[auto.scope], elevationLevel: ELEVATION[auto.elevationLevel] },
          },
        }
      : {}),
  };
}

/**
 * The planned securityProfile (the security type and secure boot / vTPM the image needs) merged over
 * the template's, so what only the template says (`encryptionAtHost`) is kept. Without a planned
 * profile the template's stays as written: planning refuses it then (POOL_TEMPLATE_SECURITY_PROFILE),
 * since @azure/arm-batch 9.1.0 would send it as a Trusted Launch profile.
 */
function securityProfileOf(spec: PoolSpec, template: Json | undefined): Json {
  const planned = spec.securityProfile;
  if (!planned) return template ? { securityProfile: template } : {};
  return {
    securityProfile: {
      ...template,
      ...planned,
      uefiSettings: { ...(template?.uefiSettings as Json | undefined), ...planned.uefiSettings },
    },
  };
}

export function isAutoScale(template: Json | undefined): boolean {
  return Boolean(template?.scaleSettings?.autoScale);
}

export function effectivePool(spec: PoolSpec): EffectivePool {
  const { identity, ...template } = (spec.template ?? {}) as Json;
  const vmc = (template.deploymentConfiguration?.virtualMachineConfiguration ?? {}) as Json;
  const startTask = template.startTask ?? startTaskOf(spec);
  const properties: Json = {
    ...template,
    vmSize: spec.vmSize,
    deploymentConfiguration: {
      virtualMachineConfiguration: {
        ...vmc,
        imageReference: { id: spec.imageVersionId },
        nodeAgentSkuId: spec.nodeAgentSkuId,
        ...securityProfileOf(spec, vmc.securityProfile as Json | undefined),
      },
    },
    scaleSettings: isAutoScale(template)
      ? { autoScale: template.scaleSettings.autoScale }
      : {
          fixedScale: {
            targetDedicatedNodes: spec.targetDedicatedNodes,
            targetLowPriorityNodes: spec.targetLowPriorityNodes,
            resizeTimeout: spec.resizeTimeout,
          },
        },
    taskSlotsPerNode: template.taskSlotsPerNode ?? spec.taskSlotsPerNode,
    ...(startTask ? { startTask } : {}),
    metadata: [...((template.metadata as Json[] | undefined) ?? []), ...(spec.metadata ?? [])],
  };
  return { ...(identity ? { identity } : {}), properties };
}

const SECRET = /^(password|accountKey|sasKey|sshPrivateKey)$/;
/** Resource file URLs may carry a SAS token: its query (with `sig=`) is the secret. */
const URL_FIELD = /^(httpUrl|storageContainerUrl)$/;
export const REDACTED = '[redacted]';

/** A URL without its query string (a SAS signature is a password). */
export function redactUrlQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?${REDACTED}`;
}

/**
 * A copy without the template's secrets (start task environment values, user and mount passwords,
 * SSH private keys, storage keys, SAS queries of resource file URLs), for answers that show a pool:
 * plan output, status. commandLine and metadata stay visible: users need them (docs/pools.md says
 * never to put secrets there).
 */
export function redactPoolSecrets<T>(value: T, key = ''): T {
  if (Array.isArray(value))
    return value.map((item: unknown) =>
      key === 'environmentSettings' && item && typeof item === 'object'
        ? { ...item, value: REDACTED }
        : redactPoolSecrets(item),
    ) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        typeof v === 'string' ? redactString(k, v) : redactPoolSecrets(v, k),
      ]),
    ) as T;
  return value;
}

/** A SAS signature anywhere in a text (an error message that quotes a URL). */
const SAS_SIGNATURE = /([?&]sig=)[^&\s"']+/gi;

function redactString(key: string, value: string): string {
  if (SECRET.test(key)) return REDACTED;
  return URL_FIELD.test(key) ? redactUrlQuery(value) : value.replace(SAS_SIGNATURE, `$1${REDACTED}`);
}
