// The Function App on the Flex Consumption plan, Node 22, running as the user-assigned identity.
// Every setting the app reads (src/config/settings.ts) is set here; a test keeps the two in step.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param appInsightsConnectionString string
param serviceBusNamespaceHost string
param buildQueueName string
param serviceBusBuildQueueName string
param eventsTopicName string
param factoryConfig string
param refreshSchedule string
param workingResourceGroupId string
param regionStallLimit string = 'PT6H'
param regionRetryLimit string = '2'
param pollInterval string = 'PT1M'
param pollMaxInterval string = 'PT10M'
param timingsTableEndpoint string
param timingsTableName string
param timingsKeep string = '50'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      // Node 20 reached end of support on Azure Functions in April 2026; Flex Consumption runs Node 22.
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // Functions host and Durable task hub on identity-based storage.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        // The app's own settings.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'BIF_TARGET', value: 'azure' }
        { name: 'BIF_BUILD_QUEUE', value: buildQueueName }
        { name: 'BIF_EVENTS_TOPIC', value: eventsTopicName }
        { name: 'BIF_SERVICEBUS__fullyQualifiedNamespace', value: serviceBusNamespaceHost }
        // The build-request trigger reads the same connection through the Service Bus extension, which
        // uses the system identity unless told to use this user-assigned one.
        { name: 'BIF_SERVICEBUS__credential', value: 'managedidentity' }
        { name: 'BIF_SERVICEBUS__clientId', value: identityClientId }
        { name: 'BIF_BUILD_SERVICEBUS_QUEUE', value: serviceBusBuildQueueName }
        { name: 'BIF_REFRESH_SCHEDULE', value: refreshSchedule }
        { name: 'BIF_FACTORY_CONFIG', value: factoryConfig }
        { name: 'BIF_WORKING_RESOURCE_GROUP_ID', value: workingResourceGroupId }
        { name: 'BIF_REGION_STALL_LIMIT', value: regionStallLimit }
        { name: 'BIF_REGION_RETRY_LIMIT', value: regionRetryLimit }
        { name: 'BIF_POLL_INTERVAL', value: pollInterval }
        { name: 'BIF_POLL_MAX_INTERVAL', value: pollMaxInterval }
        { name: 'BIF_ARM_ENDPOINT', value: environment().resourceManager }
        // Learned timings, identity-based (Storage Table Data Contributor on the account).
        { name: 'BIF_TIMINGS__tableServiceUri', value: timingsTableEndpoint }
        { name: 'BIF_TIMINGS_TABLE', value: timingsTableName }
        { name: 'BIF_TIMINGS_KEEP', value: timingsKeep }
      ]
    }
  }
}

output id string = app.id
output name string = app.name
output url string = 'https://${app.properties.defaultHostName}'
