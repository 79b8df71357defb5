import type { BatchAccountState, BatchPoolState } from '../model';
import type { World } from '../world';
import { takeFault } from '../faults';
import { allocationMs } from '../timing';
import { parseDurationMs } from '../../../domain/duration';
import { osOfNodeAgentSku } from '../../../domain/planning/nodeAgentSku';
import { regionStatus } from '../arm/galleryKinds';
import { normalizeLocation } from '../arm/kinds';
import { BatchFailure, invalidProperty } from './batchErrors';
import { requireFields } from './batchRefusals';
import { startAutoScale } from './autoScale';
import { checkSecurityProfileShape, securityAllocationError } from './poolSecurity';
import { checkPoolQuota, quotaAllocationError } from './coreQuotas';

/*
 * Creating a pool, whichever plane the request came through: the data plane's POST /pools and the
 * management plane's PUT .../batchAccounts/{a}/pools/{p} both end here, with the body in data-plane
 * casing, so one set of Batch rules and one pool model serve both.
 */

export const POOL_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_RESIZE_TIMEOUT_MS = 15 * 60_000;
export const MIN_RESIZE_TIMEOUT_MS = 5 * 60_000;

export function livePools(world: World, account: BatchAccountState): BatchPoolState[] {
  dropDeletedPools(world, account);
  return Object.values(account.pools);
}

/**
 * The account's pools to read, not to change. Walking `account.pools` marks every pool as taken, and
 * the state file then serialises each one to see whether it changed: a pool list or a pool GET cost a
 * JSON of every pool of the account (200 in the engine bench). Only the pools whose delete finished
 * are dropped through the tracked view, so that change is still saved.
 */
export function poolsToRead(world: World, account: BatchAccountState): readonly BatchPoolState[] {
  dropDeletedPools(world, account);
  return Object.values(untracked(world, account).pools);
}

/** Pools whose delete has finished are gone. */
function dropDeletedPools(world: World, account: BatchAccountState): void {
  const now = world.now();
  for (const [key, pool] of Object.entries(untracked(world, account).pools)) {
    if (pool.deletingAtSimMs !== undefined && now >= pool.deletingAtSimMs) delete account.pools[key];
  }
}

/** The account as stored, without the change tracker's view (the same object without a state file). */
function untracked(world: World, account: BatchAccountState): BatchAccountState {
  return world.plain.batchAccounts[account.name.toLowerCase()] ?? account;
}

export function etag(world: World): string {
  return `0x8D${world.nextId('e').replace(/-/g, '').slice(-13).toUpperCase()}`;
}

/** Validates a data-plane pool body and adds the pool; throws BatchFailure as Batch answers. */
export function createPoolState(
  world: World,
  account: BatchAccountState,
  body: Record<string, any>,
): BatchPoolState {
  requireFields(body, ['id', 'vmSize']);
  if (!POOL_ID.test(body.id))
    throw invalidProperty(
      'id',
      'A pool id can contain any combination of alphanumeric characters including hyphens and underscores, and cannot contain more than 64 characters.',
    );
  const live = poolsToRead(world, account);
  if (account.pools[String(body.id).toLowerCase()])
    throw new BatchFailure(409, 'PoolExists', 'The specified pool already exists.');
  checkPoolQuota(account, live.length);
  const vmc = body.virtualMachineConfiguration as Record<string, any> | undefined;
  if (!vmc?.imageReference || !vmc.nodeAgentSKUId) {
    throw new BatchFailure(
      400,
      'MissingRequiredProperty',
      'A required property was not specified in the request body: virtualMachineConfiguration.',
      [{ key: 'PropertyName', value: vmc?.imageReference ? 'nodeAgentSKUId' : 'imageReference' }],
    );
  }
  checkSecurityProfileShape(vmc);
  const replicas = checkImage(world, account, vmc);
  const timeoutMs = body.resizeTimeout
    ? parseDurationMs(String(body.resizeTimeout))
    : DEFAULT_RESIZE_TIMEOUT_MS;
  if (timeoutMs === undefined || timeoutMs < MIN_RESIZE_TIMEOUT_MS)
    throw invalidProperty('resizeTimeout', 'The resize timeout must be at least 5 minutes.');
  const now = world.now();
  const scale = targets(body, now);
  const pool: BatchPoolState = {
    id: body.id,
    spec: { ...body, ...(scale.autoScale ? {} : { resizeTimeout: body.resizeTimeout ?? 'PT15M' }) },
    createdAtSimMs: now,
    eTag: etag(world),
    resize: {
      startedAtSimMs: now,
      fromDedicated: 0,
      fromLowPriority: 0,
      toDedicated: scale.dedicated,
      toLowPriority: scale.lowPriority,
      durationMs: allocationMs(scale.dedicated + scale.lowPriority, replicas, world.timing, account.region),
      timeoutMs,
      error:
        securityAllocationError(world, vmc) ??
        allocationError(
          world,
          account,
          { id: body.id, vmSize: String(body.vmSize), fromDedicated: 0, fromLowPriority: 0 },
          scale.dedicated,
          scale.lowPriority,
        ),
    },
    ...(scale.autoScale ? { autoScale: scale.autoScale } : {}),
  };
  account.pools[pool.id.toLowerCase()] = pool;
  world.changed();
  return pool;
}

/** Fixed targets as given, or what the autoscale formula's first evaluation asks for. */
function targets(body: Record<string, any>, nowMs: number) {
  if (body.enableAutoScale !== true)
    return {
      dedicated: Number(body.targetDedicatedNodes ?? 0),
      lowPriority: Number(body.targetLowPriorityNodes ?? 0),
      autoScale: undefined,
    };
  // The data-plane spec: with enableAutoScale the targets come from the formula and must not be sent.
  for (const field of ['targetDedicatedNodes', 'targetLowPriorityNodes'])
    if (body[field] !== undefined)
      throw invalidProperty(field, `${field} must not be specified when enableAutoScale is true.`);
  const run = startAutoScale(body.autoScaleFormula, body.autoScaleEvaluationInterval, nowMs);
  return { dedicated: run.dedicated, lowPriority: run.lowPriority, autoScale: run.state };
}

/** The Batch rules for gallery images; answers the replica count in the account's region. */
export function checkImage(world: World, account: BatchAccountState, vmc: Record<string, any>): number {
  const sku = String(vmc.nodeAgentSKUId);
  const supported = account.supportedImages.some((s) => s.nodeAgentSKUId.toLowerCase() === sku.toLowerCase());
  if (!supported)
    throw invalidProperty(
      'nodeAgentSKUId',
      `The specified nodeAgentSKUId '${sku}' is not supported by this account.`,
    );
  const imageId = vmc.imageReference.virtualMachineImageId as string | undefined;
  if (!imageId) return 1; // marketplace image: replicas do not apply
  const version = world.resource(imageId);
  if (!version || version.type !== 'microsoft.compute/galleries/images/versions') {
    throw invalidProperty(
      'virtualMachineImageId',
      `The specified image ${imageId} does not exist or Batch cannot access it.`,
    );
  }
  const versionSubscription = imageId.split('/')[2]!.toLowerCase();
  if (versionSubscription !== account.subscriptionId.toLowerCase()) {
    const sub = world.state.subscriptions[versionSubscription];
    const accountSub = world.state.subscriptions[account.subscriptionId.toLowerCase()];
    if (!sub || sub.providers['microsoft.batch'] !== 'Registered') {
      throw new BatchFailure(
        403,
        'InsufficientPermissions',
        `The Microsoft.Batch resource provider is not registered in subscription ${versionSubscription}, which holds the image.`,
      );
    }
    if (accountSub && sub.tenantId !== accountSub.tenantId) {
      throw new BatchFailure(
        403,
        'InsufficientPermissions',
        'The image is in a subscription of another Microsoft Entra tenant than the Batch account.',
      );
    }
  }
  const definition = world.resource(imageId.split('/').slice(0, -2).join('/'));
  if (definition?.properties.osState === 'Specialized') {
    throw invalidProperty(
      'virtualMachineImageId',
      'Batch pools support generalized images only; this image is specialized.',
    );
  }
  const imageOs = definition?.properties.osType as string | undefined;
  if (imageOs && osOfNodeAgentSku(sku) !== imageOs) {
    throw invalidProperty(
      'nodeAgentSKUId',
      `The node agent SKU '${sku}' does not match the image's OS type ${imageOs}.`,
    );
  }
  const replication = (version.replication ?? []).find((r) => normalizeLocation(r.region) === account.region);
  if (!replication || regionStatus(replication, world.now()).state !== 'Completed') {
    throw invalidProperty(
      'virtualMachineImageId',
      `The image version has no completed replica in the Batch account's region ${account.region}.`,
    );
  }
  return replication.replicaCount;
}

/** Injected allocation failures, then core quota shortfalls (coreQuotas.ts). */
export function allocationError(
  world: World,
  account: BatchAccountState,
  pool: { id: string; vmSize: string; fromDedicated: number; fromLowPriority: number },
  dedicated: number,
  lowPriority: number,
): BatchPoolState['resize']['error'] {
  const fault = takeFault(world.state.faults, ['poolAllocationFail'], {
    poolId: pool.id,
    path: account.name,
  });
  if (fault) {
    return {
      code: fault.code ?? 'AllocationFailed',
      message: fault.message ?? 'Desired number of dedicated nodes could not be allocated',
      atFraction: fault.atFraction ?? 0,
    };
  }
  return quotaAllocationError(account, pool, dedicated, lowPriority, world.now());
}
