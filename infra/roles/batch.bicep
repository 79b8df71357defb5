// In a Batch account's resource group (any subscription of the same tenant).
import { roles } from '../modules/roleIds.bicep'

param batchAccountName string
param principalId string

resource account 'Microsoft.Batch/batchAccounts@2024-07-01' existing = {
  name: batchAccountName
}

// listSupportedImages, createPool, getPool, listPools, resizePool (drain), deletePool — the Batch data
// plane with Entra ID (pools from gallery images refuse shared-key auth).
resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, roles.batchDataContributor)
  scope: account
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.batchDataContributor) }
}
