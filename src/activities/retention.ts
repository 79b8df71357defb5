import type { Services } from './services';
import type { BatchAccountRef } from '../ports';
import { planRetention, type RetentionAction } from '../domain/retention';

/**
 * Applies retention to one image definition: newest `keepVersions` stay; older ones still used by a
 * pool in any of `accounts` are retired (excluded from latest, end of life now), the rest deleted.
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
  for (const account of input.accounts) {
    if (seen.has(account.id.toLowerCase())) continue;
    seen.add(account.id.toLowerCase());
    for (const pool of await s.batch.listPools(account))
      if (pool.imageVersionId && pool.state !== 'deleting') inUse.push(pool.imageVersionId);
  }
  const now = s.clock.now();
  const actions = planRetention(versions, inUse, input.keepVersions, now, input.leasedVersionIds);
  for (const action of actions) {
    if (action.kind === 'retire')
      await s.gallery.updateVersionPublishing(action.versionId, {
        excludeFromLatest: true,
        endOfLifeDate: now.toISOString(),
      });
    if (action.kind === 'delete') await s.gallery.beginDeleteVersion(action.versionId);
  }
  return actions;
}
