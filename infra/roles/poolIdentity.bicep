// In the resource group of a user-assigned identity that pool templates give to Batch pools.
import { roles } from '../modules/roleIds.bicep'

param identityName string
param principalId string

resource poolIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

// createPool with a template identity: ARM checks the caller may assign that identity
// (Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action, which Managed Identity Operator
// holds) before Batch puts it on the pool's nodes. https://learn.microsoft.com/azure/batch/managed-identity-pools
resource assign 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(poolIdentity.id, principalId, roles.managedIdentityOperator)
  scope: poolIdentity
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.managedIdentityOperator) }
}
