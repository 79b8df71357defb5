// The events topic: local (key) auth off, duplicate detection on (event ids are stable, so a re-sent
// event is dropped), and an example subscription that filters on the `type` application property.
// The build-request queue: the buildRequestsServiceBus trigger reads it with Data Receiver; a request
// it rejects is abandoned until maxDeliveryCount dead-letters it (kept, never lost).
import { roles } from 'roleIds.bicep'

param name string
param location string
param tags object
param topicName string
param buildQueueName string
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

resource buildQueue 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = {
  parent: namespace
  name: buildQueueName
  properties: {
    lockDuration: 'PT1M'
    // 10 deliveries of up to 3 tries over 40 s each (src/triggers/intakeRetry.ts): a valid request
    // outlasts a ~7-minute outage before it is dead-lettered. src/local/servicebus/defaultConfig.ts mirrors it.
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
  }
}

// buildRequestsServiceBus: the Functions Service Bus trigger receives (peek-lock) and settles here.
resource receiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(buildQueue.id, principalId, roles.serviceBusDataReceiver)
  scope: buildQueue
  properties: { principalId: principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver) }
}

output host string = '${namespace.name}.servicebus.windows.net'
output topicId string = topic.id
output buildQueueId string = buildQueue.id
