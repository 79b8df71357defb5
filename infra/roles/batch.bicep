// In a Batch account's resource group (any subscription of the same tenant).
import { roles } from '../modules/roleIds.bicep'

param batchAccountName string
param principalId string

resource account 'Microsoft.Batch/batchAccounts@2024-07-01' existing = {
  name: batchAccountName
}

// listSupportedImages, getPool, listPools — the Batch data plane with Entra ID (pools from gallery
// images refuse shared-key auth).
resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, roles.batchDataContributor)
  scope: account
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.batchDataContributor) }
}

// createPool, resizePool (drain), deletePool — the Batch management plane (ARM,
// Microsoft.Batch/batchAccounts/pools/write and /delete): only it can give a pool a managed identity,
// a securityProfile or resourceTags. https://learn.microsoft.com/azure/batch/batch-role-based-access-control
resource accountContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, roles.batchAccountContributor)
  scope: account
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.batchAccountContributor) }
}
