// Built-in role definition ids used by this template (Azure RBAC built-in roles).
@export()
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  computeGalleryArtifactsPublisher: '85a2d0d9-2eba-4c9c-b355-11c2cc0788ab'
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
  diskBackupReader: '3e5e47e6-65f7-47ef-90b5-e5dd4d455f24'
  batchDataContributor: '6aaa78f1-f7de-44ca-8722-c64a23943cae'
  managedIdentityOperator: 'f1a07417-d97a-45cb-824c-7a7467783830'
}
