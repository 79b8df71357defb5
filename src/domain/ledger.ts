import { boundedName, INSTANCE_ID_MAX, shortHash } from './pipeline';
import { nextPatchVersion } from './version';
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
  /** Handed out for "auto" (counts when the next "auto" is chosen). */
  auto?: boolean;
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
  /** The event name the reply is raised under; none for a one-way operation. */
  reply?: string;
}

export type LedgerOp =
  | (OpBase & { kind: 'lease'; version: string; allowExisting?: boolean })
  | (OpBase & { kind: 'retention'; keepVersions: number; accounts: BatchAccountRef[]; release: boolean })
  | (OpBase & { kind: 'release' });

export type LeaseReply = { ok: true; version: string; versionId: string } | { ok: false; reason: string };

export function ledgerInstanceId(definitionId: string): string {
  const name = (definitionId.split('/').at(-1) ?? 'definition').toLowerCase();
  const id = `bif-ledger-${name}-${shortHash(definitionId.toLowerCase())}`.replace(/[^A-Za-z0-9_.:-]/g, '-');
  return boundedName(id, INSTANCE_ID_MAX, id);
}

export function emptyLedger(definitionId: string): LedgerState {
  return { definitionId, leases: {} };
}

/**
 * A lease for `from`: the same one again when it already holds one (a re-sent request), else the
 * requested version, or for "auto" the next patch after every existing, leased and earlier allocated
 * version. An explicit version another running pipeline holds is refused.
 */
export function grantLease(
  state: LedgerState,
  op: { from: string; version: string },
  existingNames: readonly string[],
): LeaseReply {
  const held = state.leases[op.from];
  if (held) return { ok: true, version: held.version, versionId: held.versionId };
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
  } else {
    const holder = taken.find(([, l]) => l.version === version);
    if (holder)
      return {
        ok: false,
        reason: `Image version ${version} is being built by ${holder[0]}; choose another version, or "auto" for the next patch.`,
      };
  }
  const lease: Lease = { version, versionId: `${state.definitionId}/versions/${version}` };
  if (op.version === 'auto') lease.auto = true;
  state.leases[op.from] = lease;
  return { ok: true, version: lease.version, versionId: lease.versionId };
}

export function leasedVersionIds(state: LedgerState): string[] {
  return Object.values(state.leases).map((l) => l.versionId);
}
