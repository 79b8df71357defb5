// Deployed by the azd postdeploy hook (scripts/hooks/postdeploy.sh) into the gallery's resource
// group, once the galleryEvents function is deployed and listed as an Event Grid trigger: Event Grid
// validates an Azure Function destination when the subscription is created.
//
// Filters to image version writes under the gallery, retries for a day, dead-letters what still
// fails (as the app's identity, which the topic carries).
targetScope = 'resourceGroup'

@description('The system topic of this resource group (provisioned or reused by infra/main.bicep).')
param topicName string
param galleryId string
param functionAppId string
@description('The Event Grid trigger the app registers (src/functions).')
param functionName string
param deadLetterStorageId string
param deadLetterContainer string
param identityId string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: topicName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'gallery-version-writes'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${functionName}'
        maxEventsPerBatch: 1
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess']
      subjectBeginsWith: '${galleryId}/images/'
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: ['Microsoft.Compute/galleries/images/versions/write']
        }
      ]
    }
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 }
    deadLetterWithResourceIdentity: {
      identity: { type: 'UserAssigned', userAssignedIdentity: identityId }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: { resourceId: deadLetterStorageId, blobContainerName: deadLetterContainer }
      }
    }
  }
}

output id string = subscription.id
