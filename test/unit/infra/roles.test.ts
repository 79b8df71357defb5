import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/requests';
import { readInfra, resources } from './bicep';

/**
 * The app's rights in the working resource group are derived from the calls the compute adapter
 * makes there (every snapshot the pipeline writes lives in that group), so a new call without its
 * action, or an action no call needs, fails here. Operation names: Microsoft.Compute in
 * https://learn.microsoft.com/azure/role-based-access-control/permissions/compute
 */
const SNAPSHOT_CALL_ACTIONS: Record<string, string[]> = {
  get: ['Microsoft.Compute/snapshots/read'],
  list: ['Microsoft.Compute/snapshots/read'],
  listByResourceGroup: ['Microsoft.Compute/snapshots/read'],
  beginCreateOrUpdate: ['Microsoft.Compute/snapshots/write'],
  beginCreateOrUpdateAndWait: ['Microsoft.Compute/snapshots/write'],
  beginUpdate: ['Microsoft.Compute/snapshots/write'],
  beginDelete: ['Microsoft.Compute/snapshots/delete'],
  beginDeleteAndWait: ['Microsoft.Compute/snapshots/delete'],
  beginGrantAccess: ['Microsoft.Compute/snapshots/beginGetAccess/action'],
  beginRevokeAccess: ['Microsoft.Compute/snapshots/endGetAccess/action'],
};
/**
 * A snapshot PUT that copies (`creationData.sourceResourceId`, createOption Copy or CopyStart) is
 * also authorised against its source ("LinkedAuthorizationFailed … does not have permission to
 * perform action '…/beginGetAccess/action' on the linked scope"). A source disk lives in the build
 * VM's group (Disk Backup Reader there); a source snapshot — the pipeline's own, copied into the
 * gallery's region with CopyStart — lives here.
 */
const COPY_SOURCE_ACTION = 'Microsoft.Compute/snapshots/beginGetAccess/action';

function actionsTheAdapterNeeds(): string[] {
  const adapter = readFileSync(join(ROOT, 'src/azure/computeAdapter.ts'), 'utf8');
  const needed = new Set<string>();
  for (const m of adapter.matchAll(/\.snapshots\s*\.\s*(\w+)\(/g)) {
    const actions = SNAPSHOT_CALL_ACTIONS[m[1]!];
    expect({ call: `snapshots.${m[1]}`, mapped: Boolean(actions) }).toEqual({
      call: `snapshots.${m[1]}`,
      mapped: true,
    });
    for (const a of actions ?? []) needed.add(a);
  }
  if (/sourceResourceId/.test(adapter)) needed.add(COPY_SOURCE_ACTION);
  return [...needed].sort();
}

describe('least privilege in the working resource group', () => {
  const working = readInfra('roles/working.bicep');

  it('grants a custom role whose actions are exactly what the compute adapter calls there', () => {
    const definitions = resources(working).filter(
      (r) => r.type === 'Microsoft.Authorization/roleDefinitions',
    );
    expect(definitions).toHaveLength(1);
    const definition = definitions[0]!;
    expect(definition.body).toMatch(/type: 'CustomRole'/);
    expect(definition.body).toMatch(/assignableScopes: \[resourceGroup\(\)\.id\]/);
    const listName = /actions: (\w+)/.exec(definition.body)![1]!;
    const list = /^var (\w+) = \[\n([\s\S]*?)\n\]/m.exec(
      working.slice(working.indexOf(`var ${listName} =`)),
    )!;
    const granted = [...list[2]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!).sort();
    expect(granted).toEqual(actionsTheAdapterNeeds());
    expect(definition.body).toMatch(/notActions: \[\]/);
    expect(definition.body).not.toMatch(/dataActions: \[[^\]]/);

    const assignment = resources(working).find((r) => r.type === 'Microsoft.Authorization/roleAssignments')!;
    expect(assignment.body).toContain(`roleDefinitionId: ${definition.symbol}.id`);
  });

  it('no longer grants Disk Snapshot Contributor (it also lists storage account keys and writes storage accounts)', () => {
    expect(working).not.toMatch(/diskSnapshotContributor|7efff54f-a5b4-42b5-a1c5-5411624893ce/);
    expect(working).not.toMatch(/Microsoft\.Storage/);
  });
});

describe('pool writes through the Batch management plane', () => {
  it('grant a role holding pools/write and pools/delete on each account, and assign on pool identities', () => {
    const adapter = readFileSync(join(ROOT, 'src/azure/batchArmPools.ts'), 'utf8');
    const calls = [...adapter.matchAll(/poolOperations\.(\w+)\(/g)].map((m) => m[1]).sort();
    // create / update need Microsoft.Batch/batchAccounts/pools/write, beginDelete pools/delete, get pools/read:
    // all in Azure Batch Data Contributor (Microsoft.Batch/batchAccounts/pools/*), and nothing wider —
    // Azure Batch Account Contributor would add account writes and the shared keys.
    // (update three times: a resize, an empty pool's image changed in place, and the cutover's bif-shrink
    // metadata alone — all pools/write.) stopResize (a cutover restore stopping a shrink still running) needs
    // pools/stopResize/action, also under pools/*.
    expect(calls).toEqual(['beginDelete', 'create', 'get', 'stopResize', 'update', 'update', 'update']);
    // Reading the account's core quotas needs batchAccounts/read, which Azure Batch Data Contributor holds
    // ("view properties of a Batch account", https://learn.microsoft.com/azure/batch/batch-role-based-access-control).
    expect([...adapter.matchAll(/batchAccountOperations\.(\w+)\(/g)].map((m) => m[1])).toEqual(['get']);
    const batch = readInfra('roles/batch.bicep');
    expect(batch).toMatch(/roleDefinitionId: subscriptionResourceId\([^)]*roles\.batchDataContributor\)/);
    expect(batch).not.toMatch(/batchAccountContributor/);
    // A template identity is assigned with the caller's userAssignedIdentities/*/assign/action.
    expect(adapter).toMatch(/effectivePool/);
    expect(readInfra('roles/poolIdentity.bicep')).toMatch(/roles\.managedIdentityOperator/);
  });
});
