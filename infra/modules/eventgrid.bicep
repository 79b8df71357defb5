// The Event Grid system topic for the gallery's resource group. Gallery changes reach the app as
// Microsoft.Resources.ResourceWriteSuccess on that group (there is no gallery-specific event type).
//
// Only the topic is provisioned here: the subscription to the galleryEvents function is deployed
// after the code (infra/postdeploy/galleryEvents.bicep, run by the azd postdeploy hook), because
// Event Grid validates a function destination when the subscription is created.
//
// Azure allows one system topic per source: when the group already has one (another app, the
// portal), pass its name and it is reused as it is, not created or changed.
param topicName string
@description('Name of the system topic the gallery\'s resource group already has; empty = create topicName.')
param existingTopicName string = ''
param identityId string
param tags object

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = if (empty(existingTopicName)) {
  name: topicName
  location: 'global'
  tags: tags
  // The subscription dead-letters as this identity, which Event Grid takes from the topic.
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    source: resourceGroup().id
    topicType: 'Microsoft.Resources.ResourceGroups'
  }
}

resource existingTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = if (!empty(existingTopicName)) {
  name: existingTopicName
}

output name string = empty(existingTopicName) ? topic.name : existingTopic.name
