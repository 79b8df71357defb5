// The events topic: local (key) auth off, duplicate detection on (event ids are stable, so a re-sent
// event is dropped), and an example subscription that filters on the `type` application property.
import { roles } from 'roleIds.bicep'

param name string
param location string
param tags object
param topicName string
param principalId string

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' } // duplicate detection needs Standard or Premium
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    defaultMessageTimeToLive: 'P14D'
  }
}

resource failures 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2022-10-01-preview' = {
  parent: topic
  name: 'pipeline-failures'
  properties: {
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
}

resource failuresRule 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2022-10-01-preview' = {
  parent: failures
  name: 'failed-pipelines'
  properties: {
    filterType: 'SqlFilter'
    sqlFilter: { sqlExpression: 'type = \'BatchImageFactory.Pipeline.Failed\'' }
  }
}

// publishEvents: ServiceBusSender.sendMessages on the topic.
resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, roles.serviceBusDataSender)
  scope: topic
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender) }
}

output host string = '${namespace.name}.servicebus.windows.net'
output topicId string = topic.id
