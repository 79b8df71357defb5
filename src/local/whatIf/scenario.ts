import { readScenario, type Scenario } from '../simulator/scenario';
import type { BuildRequestInput } from '../../domain/buildRequest';
import { overridesOf, type TimingProfile } from '../../domain/timings/profile';

/**
 * The world a what-if runs in: the demo scenario (the build VM, snapshots and gallery the examples
 * use), every Batch account the request names (with quotas that never limit: a prediction of time,
 * not of quota), and the timings to predict with.
 */
export function whatIfScenario(request: BuildRequestInput, profile?: TimingProfile): Scenario {
  const scenario = readScenario('demo');
  scenario.name = 'what-if';
  for (const pool of request.pools ?? []) {
    const [, , subscriptionId, , group] = pool.account.id.split('/');
    if (!subscriptionId || !group) continue;
    let sub = scenario.subscriptions.find((s) => s.id.toLowerCase() === subscriptionId.toLowerCase());
    if (!sub) {
      sub = { id: subscriptionId, resourceGroups: [] };
      scenario.subscriptions.push(sub);
    }
    if (!sub.resourceGroups.some((g) => g.name.toLowerCase() === group.toLowerCase()))
      sub.resourceGroups.push({ name: group, location: pool.account.region });
    const accounts = (scenario.batchAccounts ??= []);
    const known = accounts.find((a) => a.id.toLowerCase() === pool.account.id.toLowerCase());
    if (known) Object.assign(known, { dedicatedQuota: 1_000_000, lowPriorityQuota: 1_000_000 });
    else
      accounts.push({
        id: pool.account.id,
        region: pool.account.region,
        dedicatedQuota: 1_000_000,
        lowPriorityQuota: 1_000_000,
      });
  }
  if (profile) scenario.timing = overridesOf(profile);
  return scenario;
}
