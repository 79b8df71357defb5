// In the resource group where the pipeline's snapshots live.
param principalId string

// Only what the compute adapter's calls here need (test/unit/infra/roles.test.ts derives this list
// from src/azure/computeAdapter.ts). The built-in Disk Snapshot Contributor would also let the app
// list storage account keys and write storage accounts.
//   snapshots/write   beginSnapshot: PUT, createOption Copy (from the build VM's disks) or CopyStart
//                     (cross-region copy into the gallery's region)
//   snapshots/read    getProvisioning and source checks: GET
//   snapshots/delete  deleteIntermediates: DELETE
//   snapshots/beginGetAccess/action
//                     a copy is also authorised against its source; when the source is one of the
//                     pipeline's own snapshots (CopyStart) that source is in this group
var snapshotActions = [
  'Microsoft.Compute/snapshots/read'
  'Microsoft.Compute/snapshots/write'
  'Microsoft.Compute/snapshots/delete'
  'Microsoft.Compute/snapshots/beginGetAccess/action'
]

// One definition per resource group (role names are unique in the tenant), assignable only here.
resource snapshotOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'batch-image-factory-snapshot-operator')
  properties: {
    roleName: 'Batch Image Factory Snapshot Operator (${resourceGroup().name}, ${uniqueString(resourceGroup().id)})'
    description: 'Create, read, copy and delete the snapshots batch-image-factory makes in this resource group.'
    type: 'CustomRole'
    permissions: [
      {
        actions: snapshotActions
        notActions: []
      }
    ]
    assignableScopes: [resourceGroup().id]
  }
}

// beginSnapshot (snapshots/write), getProvisioning (snapshots/read), deleteIntermediates
// (snapshots/delete), and CopyStart copies of the pipeline's own snapshots.
resource snapshots 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, snapshotOperator.id)
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: snapshotOperator.id }
}
