import { boundedName, INSTANCE_ID_MAX, shortHash } from './pipeline';
import { compareVersions, nextPatchVersion } from './version';
import { isAlive } from './runtimeStatus';
import { internalInstanceId } from './instanceId';
import type { BatchAccountRef } from './buildRequest';

/**
 * The ledger of one image definition: which versions running pipelines hold (leased from allocation
 * until their pools exist), so that allocation hands out distinct versions and retention never
 * deletes a version a pipeline is still building or rolling out. One instance per definition runs
 * every operation in turn; this file is its pure part.
 */
export const LEDGER_OP_EVENT = 'bif-ledger-op';

export interface Lease {
  version: string;
  versionId: string;
  /**
   * The holder's execution (its execution stamp): a restarted build keeps its instance id, so its
   * lease from the earlier run must not be handed back to it.
   */
  execution?: string;
  /** Handed out for "auto" (counts when the next "auto" is chosen). */
  auto?: boolean;
  /**
   * A rollout of a version that already exists: protects it from retention without excluding other
   * rollouts of it; only a build that would create that version is refused.
   */
  shared?: boolean;
}

export interface LedgerState {
  definitionId: string;
  /** By the pipeline instance that holds it. */
  leases: Record<string, Lease>;
  /** The newest version ever handed out for "auto", so a released, deleted one is never reused. */
  highestAllocated?: string;
  /** A retention put off while other builds were in flight; the last of them runs it. */
  owedRetention?: RetentionParams;
  lastRetentionAt?: string;
  /**
   * Every Batch account any retention request named for this definition (newest last, bounded): a
   * pool in an account only an earlier build used still counts as a user of its version.
   */
  accounts?: BatchAccountRef[];
  /**
   * Versions that existed when the ledger was started without its own record (purged) and that no
   * listed build showed: a pool in an account nobody can name any more may use them, so retention
   * never deletes them (see foldBuilds).
   */
  unverifiedVersions?: string[];
}

/** Accounts remembered per definition; the oldest go first beyond it (it rides in every continue-as-new). */
export const ACCOUNTS_REMEMBERED = 50;

/** Remembers `accounts` (case-insensitive ids), the most recently named kept when over the bound. */
export function rememberAccounts(state: LedgerState, accounts: readonly BatchAccountRef[]): void {
  const known = (state.accounts ?? []).filter(
    (k) => !accounts.some((a) => a.id.toLowerCase() === k.id.toLowerCase()),
  );
  const unique = accounts.filter(
    (a, i) => accounts.findIndex((b) => b.id.toLowerCase() === a.id.toLowerCase()) === i,
  );
  state.accounts = [...known, ...unique].slice(-ACCOUNTS_REMEMBERED);
}

/**
 * Drops the leases whose holder is finished or gone (`statuses`: runtime status per holder, undefined
 * when the instance does not exist). A terminated build never releases; a one-way release can be lost.
 */
export function dropFinishedHolders(
  state: LedgerState,
  statuses: Readonly<Record<string, string | undefined>>,
): string[] {
  const dropped: string[] = [];
  for (const holder of Object.keys(state.leases)) {
    if (!(holder in statuses)) continue;
    const status = statuses[holder];
    if (!isAlive(status)) {
      delete state.leases[holder];
      dropped.push(holder);
    }
  }
  return dropped;
}

/** A release or retention from `from`: only its own execution's lease goes (a late one from an earlier run does not). */
export function releaseLease(state: LedgerState, from: string, execution?: string): void {
  const held = state.leases[from];
  if (held && (execution === undefined || held.execution === undefined || held.execution === execution))
    delete state.leases[from];
}

export interface RetentionParams {
  keepVersions: number;
  accounts: BatchAccountRef[];
}

/** While other builds of the definition are in flight, retention runs at most this often. */
export const RETENTION_COALESCE_MS = 10 * 60_000;

/**
 * The retention to run now, or none when it can wait: a burst of builds finishing one after another
 * would otherwise list every version and pool once per build. Putting it off is always safe (it only
 * deletes less, later); it waits only while another build still holds a lease, so the last build of a
 * burst runs it, with the largest keepVersions and every account any of them named.
 */
export function retentionToRun(
  state: LedgerState,
  request: RetentionParams | undefined,
  nowMs: number,
): RetentionParams | undefined {
  const owed = mergeRetention(state.owedRetention, request);
  if (!owed) return undefined;
  const othersInFlight = Object.keys(state.leases).length > 0;
  const recent =
    state.lastRetentionAt !== undefined && nowMs - Date.parse(state.lastRetentionAt) < RETENTION_COALESCE_MS;
  if (othersInFlight && recent) {
    state.owedRetention = owed;
    return undefined;
  }
  delete state.owedRetention;
  state.lastRetentionAt = new Date(nowMs).toISOString();
  return owed;
}

function mergeRetention(a?: RetentionParams, b?: RetentionParams): RetentionParams | undefined {
  if (!a || !b) return a ?? b;
  const accounts = [...a.accounts];
  for (const account of b.accounts)
    if (!accounts.some((x) => x.id.toLowerCase() === account.id.toLowerCase())) accounts.push(account);
  return { keepVersions: Math.max(a.keepVersions, b.keepVersions), accounts };
}

interface OpBase {
  /** The pipeline instance that sends it and gets the reply. */
  from: string;
  /** The sender's execution stamp: leases are keyed by holder and execution. */
  execution?: string;
  /** The event name the reply is raised under; none for a one-way operation. */
  reply?: string;
}

export type LedgerOp =
  | (OpBase & {
      kind: 'lease';
      version: string;
      shared?: boolean;
      /**
       * "auto" only: the version leased before, found made by someone else; a new one is handed out
       * while this one is still held (a re-sent renew gets the new one again).
       */
      renew?: string;
    })
  | (OpBase & { kind: 'retention'; keepVersions: number; accounts: BatchAccountRef[]; release: boolean })
  | (OpBase & { kind: 'release' });

export type LeaseReply = { ok: true; version: string; versionId: string } | { ok: false; reason: string };

export function ledgerInstanceId(definitionId: string): string {
  const name = (definitionId.split('/').at(-1) ?? 'definition').toLowerCase();
  const id = internalInstanceId('ledger', `${name}-${shortHash(definitionId.toLowerCase())}`);
  return boundedName(id, INSTANCE_ID_MAX, id);
}

export function emptyLedger(definitionId: string): LedgerState {
  return { definitionId, leases: {} };
}

/**
 * A lease for `from`: the same one again when this execution already holds one (a re-sent request),
 * else the requested version, or for "auto" the next patch after every existing, leased and earlier
 * allocated version. A lease an earlier execution of the same instance held is replaced (a restart).
 * An explicit version another running pipeline holds is refused, unless both only roll it out
 * (shared); a shared lease never refuses, since the version exists already.
 */
export function grantLease(
  state: LedgerState,
  op: { from: string; version: string; execution?: string; shared?: boolean; renew?: string },
  existingNames: readonly string[],
): LeaseReply {
  const held = state.leases[op.from];
  if (held && held.execution === op.execution && !renewing(held, op))
    return { ok: true, version: held.version, versionId: held.versionId };
  delete state.leases[op.from];
  const taken = Object.entries(state.leases);
  let version = op.version;
  if (version === 'auto') {
    // "auto" keeps its meaning (the patch after the newest existing version, and after every "auto"
    // handed out); a version someone named explicitly and is still building is only stepped over.
    const known = [...existingNames, ...taken.filter(([, l]) => l.auto).map(([, l]) => l.version)];
    if (state.highestAllocated) known.push(state.highestAllocated);
    version = nextPatchVersion(known);
    while (taken.some(([, l]) => l.version === version)) version = nextPatchVersion([version]);
    state.highestAllocated = version;
  } else if (!op.shared) {
    const holder = taken.find(([, l]) => l.version === version);
    if (holder)
      return {
        ok: false,
        reason: `Image version ${version} is being built by ${holder[0]}; choose another version, or "auto" for the next patch.`,
      };
  }
  const lease: Lease = { version, versionId: `${state.definitionId}/versions/${version}` };
  if (op.execution !== undefined) lease.execution = op.execution;
  if (op.version === 'auto') lease.auto = true;
  if (op.shared) lease.shared = true;
  state.leases[op.from] = lease;
  return { ok: true, version: lease.version, versionId: lease.versionId };
}

/** An "auto" lease its holder found taken by someone else, asked to be replaced. */
export function renewing(held: Lease | undefined, op: { version: string; renew?: string }): boolean {
  return op.version === 'auto' && op.renew !== undefined && held?.version === op.renew;
}

/** The holder of another execution's lease an explicit, exclusive `version` would conflict with. */
export function conflictingHolder(
  state: LedgerState,
  op: { from: string; version: string; shared?: boolean },
) {
  if (op.shared || op.version === 'auto') return undefined;
  return Object.entries(state.leases).find(
    ([holder, l]) => holder !== op.from && l.version === op.version,
  )?.[0];
}

/** What retention must leave alone: every leased version, and every version of unknown use. */
export function leasedVersionIds(state: LedgerState): string[] {
  return [
    ...Object.values(state.leases).map((l) => l.versionId),
    ...(state.unverifiedVersions ?? []).map((v) => `${state.definitionId}/versions/${v}`),
  ];
}

/** One lease as the ledger's custom status shows it: enough to rebuild it (see rebuildLedger). */
export interface LeaseShown {
  holder: string;
  version: string;
  execution?: string;
  auto?: boolean;
  shared?: boolean;
}

/**
 * The state a ledger starts with after an earlier ledger of the definition failed or was terminated
 * (it would otherwise start empty and hand out an "auto" version twice): the input of its last
 * execution (its state at the last continue-as-new) plus the leases and highestAllocated its last
 * custom status showed (the newest leases, granted since). Leases released meanwhile come back too;
 * the holder check drops those whose holder has finished.
 */
export function rebuildLedger(
  definitionId: string,
  previous: { input?: unknown; customStatus?: unknown } | undefined,
): LedgerState {
  const state = emptyLedger(definitionId);
  const input = previous?.input as Partial<LedgerState> | undefined;
  if (
    input &&
    typeof input === 'object' &&
    input.definitionId?.toLowerCase() === definitionId.toLowerCase()
  ) {
    if (input.leases && typeof input.leases === 'object') state.leases = { ...input.leases };
    if (typeof input.highestAllocated === 'string') state.highestAllocated = input.highestAllocated;
    if (Array.isArray(input.accounts)) state.accounts = input.accounts;
    if (input.owedRetention) state.owedRetention = input.owedRetention;
    if (Array.isArray(input.unverifiedVersions)) state.unverifiedVersions = input.unverifiedVersions;
  }
  const shown = previous?.customStatus as { leases?: LeaseShown[]; highestAllocated?: string } | undefined;
  for (const l of Array.isArray(shown?.leases) ? shown.leases : []) {
    if (typeof l?.holder !== 'string' || typeof l.version !== 'string' || state.leases[l.holder]) continue;
    const lease: Lease = { version: l.version, versionId: `${definitionId}/versions/${l.version}` };
    if (l.execution !== undefined) lease.execution = l.execution;
    if (l.auto) lease.auto = true;
    if (l.shared) lease.shared = true;
    state.leases[l.holder] = lease;
  }
  const highest = shown?.highestAllocated;
  if (
    typeof highest === 'string' &&
    (!state.highestAllocated || compareVersions(highest, state.highestAllocated) > 0)
  )
    state.highestAllocated = highest;
  return state;
}

/**
 * Whether `customStatus` is one a ledger wrote (an object listing its leases). Azure Storage rewrites an
 * instance's CustomStatus from the turn that updates it (AzureTableTrackingStore.UpdateStateAsync), and
 * the turn that terminates a ledger runs no code: its status reads "null" afterwards.
 */
export function ledgerStatusReadable(customStatus: unknown): boolean {
  return (
    typeof customStatus === 'object' &&
    customStatus !== null &&
    Array.isArray((customStatus as { leases?: unknown }).leases)
  );
}

/**
 * For a ledger rebuilt without its custom status: the versions granted since its last continue-as-new
 * are known only to the builds that hold them, and each running build shows its version in its own
 * status (imageVersionId). Each one under this definition becomes a lease (protected from retention,
 * released by its holder) and "auto" continues after the newest of them, so no version is handed out
 * twice.
 */
export function foldRunningHolders(
  state: LedgerState,
  running: readonly { instanceId: string; customStatus?: unknown }[],
): void {
  const prefix = `${state.definitionId.toLowerCase()}/versions/`;
  for (const { instanceId, customStatus } of running) {
    const versionId = (customStatus as { imageVersionId?: unknown } | null | undefined)?.imageVersionId;
    if (typeof versionId !== 'string' || !versionId.toLowerCase().startsWith(prefix)) continue;
    const version = versionId.slice(prefix.length);
    if (!state.leases[instanceId])
      state.leases[instanceId] = { version, versionId: `${state.definitionId}/versions/${version}` };
    if (!state.highestAllocated || compareVersions(version, state.highestAllocated) > 0)
      state.highestAllocated = version;
  }
}

/** The newest leases (most recently granted last in the record), as the custom status lists them. */
export function leasesShown(state: LedgerState, max: number): LeaseShown[] {
  return Object.entries(state.leases)
    .slice(-max)
    .map(([holder, l]) => ({
      holder,
      version: l.version,
      ...(l.execution !== undefined ? { execution: l.execution } : {}),
      ...(l.auto ? { auto: true } : {}),
      ...(l.shared ? { shared: true } : {}),
    }));
}
