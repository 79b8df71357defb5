// In a Batch account's resource group (any subscription of the same tenant).
import { roles } from '../modules/roleIds.bicep'

param batchAccountName string
param principalId string

resource account 'Microsoft.Batch/batchAccounts@2024-07-01' existing = {
  name: batchAccountName
}

// Both planes with one role: listSupportedImages, getPool, listPools on the Batch data plane with Entra ID
// (pools from gallery images refuse shared-key auth), and createPool, resizePool, deletePool on the
// management plane — the role's actions include Microsoft.Batch/batchAccounts/pools/* and
// poolOperationResults/*. Not Azure Batch Account Contributor (Microsoft.Batch/*: account writes and
// listKeys/regenerateKeys, and shared keys are full access to the account).
// https://learn.microsoft.com/azure/batch/batch-role-based-access-control
resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, roles.batchDataContributor)
  scope: account
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.batchDataContributor) }
}
