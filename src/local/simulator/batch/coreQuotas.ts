import type { BatchAccountState, BatchPoolState } from '../model';
import { vmSizeFacts } from '../../../domain/cutover/vmSizes';
import { snapshotPool } from './allocation';
import { BatchFailure } from './batchErrors';

/*
 * Batch's core quotas (https://learn.microsoft.com/azure/batch/batch-quota-limit): a pool's dedicated
 * nodes count their VM size's vCPUs against the account's dedicatedCoreQuota and, when
 * dedicatedCoreQuotaPerVMFamilyEnforced, against its family's entry in dedicatedCoreQuotaPerVMFamily
 * (a family not listed has none); low-priority/Spot nodes against lowPriorityCoreQuota. Allocation that
 * would pass a quota stops there with a resize error (PoolResizeErrorCodes: AccountCoreQuotaReached,
 * AccountLowPriorityCoreQuotaReached), the pool keeping the nodes that fit.
 */

type ResizeError = NonNullable<BatchPoolState['resize']['error']>;

/** Cores a pool holds or is about to hold: a growing pool claims its target, a shrinking one its current. */
function coresHeld(pool: BatchPoolState, nowMs: number) {
  const now = snapshotPool(pool, nowMs);
  const size = vmSizeFacts(String(pool.spec.vmSize ?? ''));
  const cores = size?.vCPUs ?? 1;
  // A resize that ended (done, stopped, failed) claims nothing beyond the nodes the pool has.
  const resizing = now.allocationState === 'resizing';
  const dedicated = resizing
    ? Math.max(now.currentDedicatedNodes, pool.resize.toDedicated)
    : now.currentDedicatedNodes;
  const lowPriority = resizing
    ? Math.max(now.currentLowPriorityNodes, pool.resize.toLowPriority)
    : now.currentLowPriorityNodes;
  return { family: size?.family, dedicated: dedicated * cores, lowPriority: lowPriority * cores };
}

/** Cores the account's other pools use: total dedicated, per family, low-priority. */
export function coresInUse(account: BatchAccountState, exceptPoolId: string, nowMs: number) {
  const used = { dedicated: 0, lowPriority: 0, byFamily: {} as Record<string, number> };
  for (const pool of Object.values(account.pools)) {
    if (pool.id.toLowerCase() === exceptPoolId.toLowerCase()) continue;
    const held = coresHeld(pool, nowMs);
    used.dedicated += held.dedicated;
    used.lowPriority += held.lowPriority;
    const family = held.family?.toLowerCase();
    if (family) used.byFamily[family] = (used.byFamily[family] ?? 0) + held.dedicated;
  }
  return used;
}

/** How far a pool of `vmSize` can grow toward its targets before a quota stops it; undefined if it fits. */
export function quotaAllocationError(
  account: BatchAccountState,
  pool: { id: string; vmSize: string; fromDedicated: number; fromLowPriority: number },
  dedicated: number,
  lowPriority: number,
  nowMs: number,
): ResizeError | undefined {
  const size = vmSizeFacts(pool.vmSize);
  const cores = size?.vCPUs ?? 1;
  const used = coresInUse(account, pool.id, nowMs);
  const limits: { room: number; code: string; message: string }[] = [
    {
      room: account.dedicatedQuota - used.dedicated,
      code: 'AccountCoreQuotaReached',
      message: `The specified account has reached its dedicated core quota (${account.dedicatedQuota} cores).`,
    },
  ];
  if (account.perFamilyEnforced && size) {
    // Family names compare case-insensitively (Azure spells them both ways, see vmSizes.ts).
    const family = size.family.toLowerCase();
    const listed = Object.entries(account.perFamilyQuota ?? {}).find(([n]) => n.toLowerCase() === family);
    const quota = listed?.[1] ?? 0;
    limits.push({
      room: quota - (used.byFamily[family] ?? 0),
      code: 'AccountCoreQuotaReached',
      message: `The specified account has reached its dedicated core quota for VM family ${size.family} (${quota} cores).`,
    });
  }
  for (const limit of limits) {
    const fits = Math.max(0, Math.floor(limit.room / cores));
    if (dedicated > fits) return stopAt(limit, pool.fromDedicated, dedicated, fits, size?.family);
  }
  const lowRoom = Math.max(0, Math.floor((account.lowPriorityQuota - used.lowPriority) / cores));
  if (lowPriority > lowRoom)
    return stopAt(
      {
        code: 'AccountLowPriorityCoreQuotaReached',
        message: `The specified account has reached its low-priority core quota (${account.lowPriorityQuota} cores).`,
      },
      pool.fromLowPriority,
      lowPriority,
      lowRoom,
    );
  return undefined;
}

function stopAt(
  limit: { code: string; message: string },
  from: number,
  to: number,
  fits: number,
  family?: string,
): ResizeError {
  const growth = to - from;
  return {
    code: limit.code,
    message: limit.message,
    ...(family ? { values: [{ name: 'VMFamily', value: family }] } : {}),
    atFraction: growth > 0 ? Math.min(1, Math.max(0, (fits - from) / growth)) : 0,
  };
}

/** Batch's default pool quota per account (https://learn.microsoft.com/azure/batch/batch-quota-limit). */
export const DEFAULT_POOL_QUOTA = 100;

/**
 * A new pool past the account's poolQuota is refused with 409 PoolQuotaReached
 * (https://learn.microsoft.com/rest/api/batchservice/batch-status-and-error-codes), through either plane.
 * Pools being deleted still count until they are gone.
 */
export function checkPoolQuota(account: BatchAccountState, livePools: number): void {
  const quota = account.poolQuota ?? DEFAULT_POOL_QUOTA;
  if (livePools >= quota)
    throw new BatchFailure(
      409,
      'PoolQuotaReached',
      `The specified account has reached its pool quota (${quota} pools).`,
    );
}

/** Batch's default active job and job schedule quota per account (batch-quota-limit). */
export const DEFAULT_ACTIVE_JOB_QUOTA = 300;

/**
 * A job added while the account's active jobs and job schedules (not completed, not being deleted)
 * fill activeJobAndJobScheduleQuota is refused with 409 ActiveJobAndScheduleQuotaReached
 * (https://learn.microsoft.com/rest/api/batchservice/batch-status-and-error-codes).
 */
export function checkActiveJobQuota(account: BatchAccountState): void {
  const quota = account.activeJobAndJobScheduleQuota ?? DEFAULT_ACTIVE_JOB_QUOTA;
  const live = (items: { state: string }[]) =>
    items.filter((i) => i.state !== 'completed' && i.state !== 'deleting').length;
  const active = live(Object.values(account.jobs ?? {})) + live(Object.values(account.jobSchedules ?? {}));
  if (active >= quota)
    throw new BatchFailure(
      409,
      'ActiveJobAndScheduleQuotaReached',
      `The specified account has reached its quota of active jobs and job schedules (${quota}).`,
    );
}

/** Microsoft.Batch/batchAccounts GET (BatchManagement.json BatchAccount_Get; example BatchAccountGet.json). */
export function renderArmAccount(account: BatchAccountState) {
  const perFamily = Object.entries(account.perFamilyQuota ?? {}).map(([name, coreQuota]) => ({
    name,
    coreQuota,
  }));
  return {
    id: account.id,
    name: account.name,
    type: 'Microsoft.Batch/batchAccounts',
    location: account.region,
    identity: { type: 'None' },
    properties: {
      accountEndpoint: `${account.name.toLowerCase()}.${account.region}.batch.azure.com`,
      provisioningState: 'Succeeded',
      poolAllocationMode: 'BatchService',
      publicNetworkAccess: 'Enabled',
      dedicatedCoreQuota: account.dedicatedQuota,
      lowPriorityCoreQuota: account.lowPriorityQuota,
      dedicatedCoreQuotaPerVMFamily: perFamily,
      dedicatedCoreQuotaPerVMFamilyEnforced: account.perFamilyEnforced ?? false,
      poolQuota: account.poolQuota ?? DEFAULT_POOL_QUOTA,
      activeJobAndJobScheduleQuota: account.activeJobAndJobScheduleQuota ?? DEFAULT_ACTIVE_JOB_QUOTA,
    },
  };
}

/** A scenario account's quota knobs as the account model holds them. */
export function seedCoreQuotas(account: {
  dedicatedQuota?: number;
  lowPriorityQuota?: number;
  dedicatedCoreQuotaPerVMFamily?: { name: string; coreQuota: number }[];
  poolQuota?: number;
  activeJobAndJobScheduleQuota?: number;
}): Pick<
  BatchAccountState,
  | 'dedicatedQuota'
  | 'lowPriorityQuota'
  | 'perFamilyQuota'
  | 'perFamilyEnforced'
  | 'poolQuota'
  | 'activeJobAndJobScheduleQuota'
> {
  const families = account.dedicatedCoreQuotaPerVMFamily;
  return {
    // Generous defaults so worlds that do not test capacity never meet it (3000 × 4-core nodes fit).
    dedicatedQuota: account.dedicatedQuota ?? 100_000,
    lowPriorityQuota: account.lowPriorityQuota ?? 100_000,
    ...(families
      ? {
          perFamilyEnforced: true,
          perFamilyQuota: Object.fromEntries(families.map((f) => [f.name, f.coreQuota])),
        }
      : {}),
    ...(account.poolQuota !== undefined ? { poolQuota: account.poolQuota } : {}),
    ...(account.activeJobAndJobScheduleQuota !== undefined
      ? { activeJobAndJobScheduleQuota: account.activeJobAndJobScheduleQuota }
      : {}),
  };
}

/** A quota change as Azure support grants it, in the account GET's property names; absent fields stay. */
export interface QuotaChange {
  dedicatedCoreQuota?: number;
  lowPriorityCoreQuota?: number;
  dedicatedCoreQuotaPerVMFamily?: { name: string; coreQuota: number }[];
  dedicatedCoreQuotaPerVMFamilyEnforced?: boolean;
  poolQuota?: number;
  activeJobAndJobScheduleQuota?: number;
}

const COUNTS = [
  'dedicatedCoreQuota',
  'lowPriorityCoreQuota',
  'poolQuota',
  'activeJobAndJobScheduleQuota',
] as const;
const FIELDS = [...COUNTS, 'dedicatedCoreQuotaPerVMFamily', 'dedicatedCoreQuotaPerVMFamilyEnforced'];

/**
 * Changes an account's quotas while the world runs (`PATCH /_sim/batchAccounts/{name}`): in Azure a
 * quota changes under a running build (a support request granted, another team's increase reverted),
 * and the account GET and allocation see the new value from then on. Pools keep the nodes they hold.
 * The whole change is checked before any of it applies: a misspelt field would otherwise be a no-op.
 */
export function changeQuotas(
  account: BatchAccountState,
  change: QuotaChange | Record<string, unknown>,
): void {
  const valid = checkQuotaChange(change as Record<string, unknown>);
  for (const field of COUNTS) {
    const value = valid[field];
    if (value === undefined) continue;
    if (field === 'dedicatedCoreQuota') account.dedicatedQuota = value;
    else if (field === 'lowPriorityCoreQuota') account.lowPriorityQuota = value;
    else account[field] = value;
  }
  if (valid.dedicatedCoreQuotaPerVMFamily) {
    account.perFamilyEnforced = true;
    account.perFamilyQuota = Object.fromEntries(
      valid.dedicatedCoreQuotaPerVMFamily.map((f) => [f.name, f.coreQuota]),
    );
  }
  if (valid.dedicatedCoreQuotaPerVMFamilyEnforced !== undefined)
    account.perFamilyEnforced = valid.dedicatedCoreQuotaPerVMFamilyEnforced;
}

function checkQuotaChange(change: Record<string, unknown>): QuotaChange {
  const refuse = (message: string) => new BatchFailure(400, 'InvalidPropertyValue', message);
  if (!change || typeof change !== 'object' || Array.isArray(change))
    throw refuse('The body must be a JSON object of account GET quota fields.');
  const unknown = Object.keys(change).find((k) => !FIELDS.includes(k));
  if (unknown) throw refuse(`Unknown field ${unknown}: the fields are ${FIELDS.join(', ')}.`);
  const whole = (field: string, value: unknown) => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0))
      throw refuse(`${field} must be a whole number ≥ 0, not ${JSON.stringify(value)}.`);
  };
  for (const field of COUNTS) whole(field, change[field]);
  const families = change.dedicatedCoreQuotaPerVMFamily;
  if (families !== undefined) {
    if (!Array.isArray(families))
      throw refuse(
        'dedicatedCoreQuotaPerVMFamily must be a list of { name, coreQuota }, as the account GET shows it.',
      );
    families.forEach((f: unknown, i) => {
      const entry = (f ?? {}) as Record<string, unknown>;
      if (typeof entry.name !== 'string' || !entry.name.trim())
        throw refuse(
          `dedicatedCoreQuotaPerVMFamily[${i}].name must name a VM family (e.g. standardDSv5Family).`,
        );
      whole(`dedicatedCoreQuotaPerVMFamily[${i}].coreQuota`, entry.coreQuota ?? -1);
    });
  }
  const enforced = change.dedicatedCoreQuotaPerVMFamilyEnforced;
  if (enforced !== undefined && typeof enforced !== 'boolean')
    throw refuse(
      `dedicatedCoreQuotaPerVMFamilyEnforced must be true or false, not ${JSON.stringify(enforced)}.`,
    );
  return change as QuotaChange;
}
