// In the gallery's resource group.
import { roles } from '../modules/roleIds.bicep'

param galleryName string
param principalId string

resource gallery 'Microsoft.Compute/galleries@2024-03-03' existing = {
  name: galleryName
}

// ensureImageDefinition, createImageVersion, updateTargetRegions (PATCH targetRegions), applyRetention
// (list, update, delete versions); also the read access Batch checks when a pool uses a version.
resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(gallery.id, principalId, roles.computeGalleryArtifactsPublisher)
  scope: gallery
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.computeGalleryArtifactsPublisher) }
}
