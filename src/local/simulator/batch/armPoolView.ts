import type { BatchPoolState } from '../model';
import { TIMING } from '../timing';
import { snapshotPool } from './allocation';

/*
 * One pool, two views. The management plane (Microsoft.Batch/batchAccounts/pools, BatchManagement.json)
 * nests the image under deploymentConfiguration, spells `nodeAgentSkuId`, groups targets under
 * scaleSettings, and capitalises enums (`Pool`, `Admin`, `Steady`); the data plane (BatchService.json)
 * keeps them flat as `nodeAgentSKUId`, `virtualMachineImageId` and lower-case enums. A pool made through
 * ARM is stored with its ARM properties as sent and converted once to the data-plane spec both planes
 * derive their state from.
 */

type Json = Record<string, any>;

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

/** ARM image reference {id} → data plane {virtualMachineImageId}; marketplace references are the same. */
function imageToDataPlane(ref: Json | undefined): Json | undefined {
  if (!ref) return undefined;
  const { id, ...rest } = ref;
  return id ? { ...rest, virtualMachineImageId: id } : rest;
}

function startTaskToDataPlane(task: Json | undefined): Json | undefined {
  const auto = task?.userIdentity?.autoUser as Json | undefined;
  if (!task || !auto) return task;
  return {
    ...task,
    userIdentity: {
      ...task.userIdentity,
      autoUser: { ...auto, scope: lower(auto.scope), elevationLevel: lower(auto.elevationLevel) },
    },
  };
}

/** The data-plane pool body equivalent to an ARM pool's properties (for the shared pool model). */
export function armToDataPlane(poolId: string, props: Json): Json {
  const vmc = (props.deploymentConfiguration?.virtualMachineConfiguration ?? undefined) as Json | undefined;
  const fixed = props.scaleSettings?.fixedScale as Json | undefined;
  const auto = props.scaleSettings?.autoScale as Json | undefined;
  const { imageReference, nodeAgentSkuId, ...vmcRest } = vmc ?? {};
  return {
    id: poolId,
    vmSize: props.vmSize,
    ...(vmc
      ? {
          virtualMachineConfiguration: {
            ...vmcRest,
            imageReference: imageToDataPlane(imageReference as Json | undefined),
            nodeAgentSKUId: nodeAgentSkuId,
          },
        }
      : {}),
    ...(fixed
      ? {
          targetDedicatedNodes: fixed.targetDedicatedNodes ?? 0,
          targetLowPriorityNodes: fixed.targetLowPriorityNodes ?? 0,
          ...(fixed.resizeTimeout ? { resizeTimeout: fixed.resizeTimeout } : {}),
        }
      : {}),
    ...(auto
      ? {
          enableAutoScale: true,
          autoScaleFormula: auto.formula,
          ...(auto.evaluationInterval ? { autoScaleEvaluationInterval: auto.evaluationInterval } : {}),
        }
      : {}),
    enableInterNodeCommunication: props.interNodeCommunication === 'Enabled',
    ...pick(props, [
      'taskSlotsPerNode',
      'metadata',
      'networkConfiguration',
      'mountConfiguration',
      'userAccounts',
      'targetNodeCommunicationMode',
      'upgradePolicy',
      'resourceTags',
    ]),
    ...(props.taskSchedulingPolicy
      ? { taskSchedulingPolicy: { nodeFillType: lower(props.taskSchedulingPolicy.nodeFillType) } }
      : {}),
    ...(props.startTask ? { startTask: startTaskToDataPlane(props.startTask as Json) } : {}),
    ...(props.applicationPackages
      ? {
          applicationPackageReferences: (props.applicationPackages as Json[]).map((p) => ({
            applicationId: String(p.id).split('/').at(-1),
            ...(p.version ? { version: p.version } : {}),
          })),
        }
      : {}),
  };
}

function pick(source: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

/** ARM properties of a pool made through the data plane (no ARM copy). */
export function dataPlaneToArm(spec: Json): Json {
  const vmc = spec.virtualMachineConfiguration as Json | undefined;
  const { imageReference, nodeAgentSKUId, ...vmcRest } = vmc ?? {};
  const { virtualMachineImageId, ...refRest } = (imageReference ?? {}) as Json;
  return {
    vmSize: spec.vmSize,
    deploymentConfiguration: {
      virtualMachineConfiguration: {
        ...vmcRest,
        imageReference: virtualMachineImageId ? { ...refRest, id: virtualMachineImageId } : refRest,
        nodeAgentSkuId: nodeAgentSKUId,
      },
    },
    ...pick(spec, ['taskSlotsPerNode', 'metadata', 'networkConfiguration', 'startTask']),
  };
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The ARM answer for a pool: stored properties plus the state Batch derives. */
export function renderArmPool(pool: BatchPoolState, accountId: string, nowMs: number): Json {
  const snap = snapshotPool(pool, nowMs);
  const iso = (ms: number) => new Date(ms).toISOString();
  const props = pool.arm?.properties ?? dataPlaneToArm(pool.spec);
  const deleting = pool.deletingAtSimMs !== undefined;
  const resizing = snap.allocationState !== 'steady';
  return {
    id: `${accountId}/pools/${pool.id}`,
    name: pool.id,
    type: 'Microsoft.Batch/batchAccounts/pools',
    etag: `W/"${pool.eTag}"`,
    ...(pool.arm?.identity ? { identity: pool.arm.identity } : {}),
    properties: {
      ...props,
      lastModified: iso(pool.resize.startedAtSimMs),
      creationTime: iso(pool.createdAtSimMs),
      provisioningState: deleting ? 'Deleting' : 'Succeeded',
      provisioningStateTransitionTime: iso(
        deleting ? pool.deletingAtSimMs! - TIMING.poolDeleteMs : pool.createdAtSimMs,
      ),
      allocationState: capital(snap.allocationState),
      allocationStateTransitionTime: iso(resizing ? pool.resize.startedAtSimMs : snap.endsAtSimMs),
      interNodeCommunication: pool.spec.enableInterNodeCommunication ? 'Enabled' : 'Disabled',
      taskSlotsPerNode: pool.spec.taskSlotsPerNode ?? 1,
      taskSchedulingPolicy: props.taskSchedulingPolicy ?? { nodeFillType: 'Spread' },
      scaleSettings: scaleSettings(pool),
      currentDedicatedNodes: snap.currentDedicatedNodes,
      currentLowPriorityNodes: snap.currentLowPriorityNodes,
      ...(pool.autoScale ? { autoScaleRun: autoScaleRun(pool) } : {}),
      ...(resizing || snap.resizeErrors ? { resizeOperationStatus: resizeStatus(pool, snap) } : {}),
    },
  };
}

function scaleSettings(pool: BatchPoolState): Json {
  if (pool.autoScale)
    return {
      autoScale: { formula: pool.autoScale.formula, evaluationInterval: pool.autoScale.evaluationInterval },
    };
  // Batch answers the resizeTimeout a pool was given, not its 15-minute default.
  const resizeTimeout = pool.arm
    ? (pool.arm.properties.scaleSettings as Json | undefined)?.fixedScale?.resizeTimeout
    : pool.spec.resizeTimeout;
  return {
    fixedScale: {
      targetDedicatedNodes: pool.resize.toDedicated,
      targetLowPriorityNodes: pool.resize.toLowPriority,
      ...(resizeTimeout ? { resizeTimeout } : {}),
      ...(pool.resize.deallocation
        ? { nodeDeallocationOption: DEALLOCATION[pool.resize.deallocation] ?? 'Requeue' }
        : {}),
    },
  };
}

function autoScaleRun(pool: BatchPoolState): Json {
  const auto = pool.autoScale!;
  return {
    evaluationTime: new Date(auto.lastRunAtSimMs).toISOString(),
    ...(auto.results ? { results: auto.results } : {}),
    ...(auto.error ? { error: auto.error } : {}),
  };
}

const DEALLOCATION: Record<string, string> = {
  requeue: 'Requeue',
  terminate: 'Terminate',
  taskcompletion: 'TaskCompletion',
  retaineddata: 'RetainedData',
};

function resizeStatus(pool: BatchPoolState, snap: ReturnType<typeof snapshotPool>): Json {
  return {
    startTime: new Date(pool.resize.startedAtSimMs).toISOString(),
    targetDedicatedNodes: pool.resize.toDedicated,
    targetLowPriorityNodes: pool.resize.toLowPriority,
    nodeDeallocationOption: DEALLOCATION[pool.resize.deallocation ?? 'requeue'] ?? 'Requeue',
    resizeTimeout: pool.spec.resizeTimeout ?? 'PT15M',
    ...(snap.resizeErrors ? { errors: snap.resizeErrors } : {}),
  };
}
