import type { Services } from './services';
import type { BatchAccountRef } from '../ports';
import { planRetention, type RetentionAction } from '../domain/retention';
import { VersionBusyError } from '../ports/gallery';

/**
 * Applies retention to one image definition: newest `keepVersions` stay; older ones still used by a
 * pool in any of `accounts` are retired (excluded from latest), the rest deleted. The end-of-life date
 * is left alone: Azure only takes one in the future, and it is informational anyway.
 */
export async function applyRetention(
  s: Services,
  input: {
    definitionId: string;
    keepVersions: number;
    accounts: BatchAccountRef[];
    /** Versions running pipelines hold (the definition ledger's leases): never touched. */
    leasedVersionIds?: string[];
  },
): Promise<RetentionAction[]> {
  const versions = await s.gallery.listVersions(input.definitionId);
  const seen = new Set<string>();
  const inUse: string[] = [];
  // The factory's followers of this definition count too, whichever build named them (or none did).
  for (const account of [...input.accounts, ...(s.followerAccounts?.(input.definitionId) ?? [])]) {
    if (seen.has(account.id.toLowerCase())) continue;
    seen.add(account.id.toLowerCase());
    for (const pool of await s.batch.listPools(account, ['imageVersionId', 'state']))
      if (pool.imageVersionId && pool.state !== 'deleting') inUse.push(pool.imageVersionId);
  }
  const actions = planRetention(versions, inUse, input.keepVersions, input.leasedVersionIds);
  const done: RetentionAction[] = [];
  for (const action of actions) {
    if (action.kind === 'retire') {
      try {
        await s.gallery.updateVersionPublishing(action.versionId, { excludeFromLatest: true });
      } catch (error) {
        // Someone is writing to that version right now; the next retention run retires it.
        if (!(error instanceof VersionBusyError)) throw error;
        done.push({ kind: 'keep', versionId: action.versionId, reason: 'busy' });
        continue;
      }
    }
    if (action.kind === 'delete') await s.gallery.beginDeleteVersion(action.versionId);
    done.push(action);
  }
  return done;
}
