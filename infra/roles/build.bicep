// In the build VM's resource group.
import { roles } from '../modules/roleIds.bicep'

param principalId string

// preflight: virtualMachines/read with instanceView (OS state, extensions, plan) and disks/read.
resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roles.reader)
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.reader) }
}

// beginSnapshot: the snapshot copy opens the source disk (disks/beginGetAccess).
resource diskAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roles.diskBackupReader)
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.diskBackupReader) }
}
