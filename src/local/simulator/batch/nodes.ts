import { createHash } from 'node:crypto';
import type { BatchAccountState, BatchPoolState } from '../model';
import type { FaultRule } from '../faults';
import { TIMING } from '../timing';
import { snapshotPool } from './allocation';

/**
 * A pool's compute nodes, derived from its allocation the way the rest of the world is derived from
 * time: node k appears when the resize reaches it, is `starting` while the Batch agent boots, then
 * `waitingforstarttask` while a start task with waitForSuccess runs, then `idle` — or the state a
 * `nodeState` fault gives a share of the nodes (`unusable`, `starttaskfailed`, `unknown`…).
 * Batch's node states: https://learn.microsoft.com/rest/api/batchservice/compute-node/list (ComputeNodeState).
 */
export interface SimNode {
  id: string;
  state: string;
  isDedicated: boolean;
  allocationTime: string;
  stateTransitionTime: string;
  errors?: { code: string; message: string; errorDetails?: { name: string; value: string }[] }[];
  startTaskInfo?: Record<string, unknown>;
}

/** States a node passes through on its way to `idle`. */
export const NODE_TIMING = { agentStartMs: 60_000, startTaskMs: 60_000 };

/** States a `nodeState` fault may give nodes: the ones Batch reports for nodes that do not become usable. */
export const FAULT_NODE_STATES = ['unusable', 'starttaskfailed', 'unknown', 'offline', 'preempted'] as const;

export function poolNodes(
  account: BatchAccountState,
  pool: BatchPoolState,
  faults: FaultRule[],
  nowMs: number,
): SimNode[] {
  const snap = snapshotPool(pool, nowMs);
  const rule = nodeFault(account, pool, faults);
  const startTask = pool.spec.startTask as { waitForSuccess?: boolean } | undefined;
  const nodes: SimNode[] = [];
  const add = (count: number, from: number, to: number, dedicated: boolean) => {
    for (let k = 0; k < count; k++) {
      const index = nodes.length;
      const joinedAt = joinTime(pool, k, from, to);
      nodes.push(nodeAt(pool, index, dedicated, joinedAt, nowMs, startTask, isFaulty(rule, index)));
    }
  };
  add(snap.currentDedicatedNodes, pool.resize.fromDedicated, pool.resize.toDedicated, true);
  add(snap.currentLowPriorityNodes, pool.resize.fromLowPriority, pool.resize.toLowPriority, false);
  return nodes;
}

/** When node k of a kind joined: nodes the resize added arrive one by one after the VMs boot. */
function joinTime(pool: BatchPoolState, k: number, from: number, to: number): number {
  const { resize } = pool;
  if (k < from || to <= from) return pool.createdAtSimMs;
  const boot = TIMING.poolStartupMs;
  const span = Math.max(0, resize.durationMs - boot);
  return resize.startedAtSimMs + boot + Math.round(((k - from + 1) / (to - from)) * span);
}

function nodeAt(
  pool: BatchPoolState,
  index: number,
  dedicated: boolean,
  joinedAt: number,
  nowMs: number,
  startTask: { waitForSuccess?: boolean } | undefined,
  fault: FaultRule | undefined,
): SimNode {
  const iso = (ms: number) => new Date(ms).toISOString();
  const hash = createHash('sha256').update(`${pool.id}|${pool.createdAtSimMs}|${index}`).digest('hex');
  const base = {
    id: `tvmps_${hash.slice(0, 40)}_${dedicated ? 'd' : 'p'}`,
    isDedicated: dedicated,
    allocationTime: iso(joinedAt),
  };
  const agentUp = joinedAt + NODE_TIMING.agentStartMs;
  if (nowMs < agentUp) return { ...base, state: 'starting', stateTransitionTime: iso(joinedAt) };
  const waits = startTask?.waitForSuccess === true;
  const settledAt = waits ? agentUp + NODE_TIMING.startTaskMs : agentUp;
  if (nowMs < settledAt) return { ...base, state: 'waitingforstarttask', stateTransitionTime: iso(agentUp) };
  const info = startTask ? { startTaskInfo: startTaskInfo(agentUp, settledAt, fault) } : {};
  // Batch puts a node in starttaskfailed only when the pool waits for its start task.
  const state = fault && (fault.nodeState !== 'starttaskfailed' || waits) ? fault.nodeState! : 'idle';
  return {
    ...base,
    state,
    stateTransitionTime: iso(settledAt),
    ...info,
    ...(state === 'unusable' || state === 'unknown' ? { errors: [nodeError(fault!)] } : {}),
  };
}

function startTaskInfo(startedAt: number, endedAt: number, fault: FaultRule | undefined) {
  const failed = fault?.nodeState === 'starttaskfailed';
  return {
    state: 'completed',
    startTime: new Date(startedAt).toISOString(),
    endTime: new Date(endedAt).toISOString(),
    exitCode: failed ? (fault.exitCode ?? 1) : 0,
    retryCount: 0,
    result: failed ? 'failure' : 'success',
    ...(failed
      ? {
          failureInfo: {
            category: 'usererror',
            code: 'FailureExitCode',
            message: 'The task exited with an exit code representing a failure',
            details: [{ name: 'Message', value: fault.message ?? `exit code ${fault.exitCode ?? 1}` }],
          },
        }
      : {}),
  };
}

function nodeError(fault: FaultRule) {
  return {
    code: fault.code ?? 'SimulatedNodeFailure',
    message: fault.message ?? 'The node cannot run tasks (a simulator nodeState fault).',
    errorDetails: [{ name: 'Reason', value: `nodeState fault ${fault.id ?? ''}`.trim() }],
  };
}

/** The first nodeState fault that applies to this pool: by pool id, by image version id, by region. */
function nodeFault(
  account: BatchAccountState,
  pool: BatchPoolState,
  faults: FaultRule[],
): FaultRule | undefined {
  const image = String(
    (pool.spec.virtualMachineConfiguration as any)?.imageReference?.virtualMachineImageId ?? '',
  ).toLowerCase();
  return faults.find(
    (f) =>
      f.kind === 'nodeState' &&
      (!f.poolId || f.poolId.toLowerCase() === pool.id.toLowerCase()) &&
      (!f.imageVersionId || f.imageVersionId.toLowerCase() === image) &&
      (!f.region || f.region.toLowerCase() === account.region.toLowerCase()),
  );
}

/** Spreads a share of bad nodes evenly: node i is bad when it crosses the next multiple of 1/share. */
function isFaulty(rule: FaultRule | undefined, index: number): FaultRule | undefined {
  if (!rule) return undefined;
  const share = Math.max(0, Math.min(1, rule.share ?? 1));
  return Math.floor((index + 1) * share) > Math.floor(index * share) ? rule : undefined;
}
