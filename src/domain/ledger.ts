import { boundedName, INSTANCE_ID_MAX, shortHash } from './pipeline';
import { nextPatchVersion } from './version';
import type { BatchAccountRef } from '../ports';

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
}

export interface LedgerState {
  definitionId: string;
  /** By the pipeline instance that holds it. */
  leases: Record<string, Lease>;
  /** The newest version ever handed out for "auto", so a released, deleted one is never reused. */
  highestAllocated?: string;
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
  if (held) return { ok: true, ...held };
  const taken = Object.entries(state.leases);
  let version = op.version;
  if (version === 'auto') {
    const known = [...existingNames, ...taken.map(([, l]) => l.version)];
    if (state.highestAllocated) known.push(state.highestAllocated);
    version = nextPatchVersion(known);
    state.highestAllocated = version;
  } else {
    const holder = taken.find(([, l]) => l.version === version);
    if (holder)
      return {
        ok: false,
        reason: `Image version ${version} is being built by ${holder[0]}; choose another version, or "auto" for the next patch.`,
      };
  }
  const lease = { version, versionId: `${state.definitionId}/versions/${version}` };
  state.leases[op.from] = lease;
  return { ok: true, ...lease };
}

export function leasedVersionIds(state: LedgerState): string[] {
  return Object.values(state.leases).map((l) => l.versionId);
}
