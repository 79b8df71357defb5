// In the resource group where the pipeline's snapshots live.
import { roles } from '../modules/roleIds.bicep'

param principalId string

// beginSnapshot (snapshots/write), getProvisioning (snapshots/read), deleteIntermediates
// (snapshots/delete), and the gallery reading the snapshots as the version's source.
resource snapshots 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roles.diskSnapshotContributor)
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.diskSnapshotContributor) }
}
