// batch-image-factory on Azure: a Flex Consumption Function App with a user-assigned managed identity
// for every connection, identity-only storage and Service Bus, Application Insights, the Event Grid
// system topic for gallery changes, and least-privilege role assignments on the resources you bring.
// The Event Grid subscription to the galleryEvents function is not here: Event Grid validates a
// function destination when the subscription is created, so the azd postdeploy hook
// (scripts/hooks/postdeploy.sh) deploys infra/postdeploy/galleryEvents.bicep once the code is in.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used for the resource group and the resource token.')
param environmentName string

@minLength(1)
@description('Region for the app and its storage, Service Bus and monitoring.')
param location string

@description('Resource id of the Azure Compute Gallery the app publishes to (bring your own).')
param galleryId string

@description('Resource id of the resource group holding the build VM and its disks.')
param buildResourceGroupId string

@description('Resource id of the resource group for snapshots; empty = the build VM\'s resource group.')
param workingResourceGroupId string = ''

@description('Comma-separated resource ids of the Batch accounts the app manages pools in (any subscription of the same tenant).')
param batchAccountIds string

@description('Comma-separated resource ids of the user-assigned identities pool templates give to pools (the app must be allowed to assign them); may be empty.')
param poolIdentityIds string = ''

@description('Name of the Event Grid system topic the gallery\'s resource group already has (Azure allows one per source); empty = create one.')
param existingGalleryTopicName string = ''

@description('Factory config JSON (schemas/factory-config.schema.json).')
param factoryConfig string = '{"images":[]}'

@description('NCRONTAB schedule of the refreshImages timer.')
param refreshSchedule string = '0 0 3 * * *'

@description('Storage queue of build requests.')
param buildQueueName string = 'build-requests'

@description('Service Bus queue of build requests (the buildRequestsServiceBus trigger).')
param serviceBusBuildQueueName string = 'build-requests'

@description('Service Bus topic of milestone events.')
param eventsTopicName string = 'bif-events'

var abbrs = {
  resourceGroup: 'rg-'
  identity: 'id-'
  storage: 'st'
  serviceBus: 'sb-'
  logAnalytics: 'log-'
  appInsights: 'appi-'
  plan: 'plan-'
  functionApp: 'func-'
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var galleryParts = split(galleryId, '/')
var buildParts = split(buildResourceGroupId, '/')
var workingGroupId = empty(workingResourceGroupId) ? buildResourceGroupId : workingResourceGroupId
var workingParts = split(workingGroupId, '/')
// The Event Grid trigger the app registers (src/functions/index.ts); the postdeploy hook subscribes it.
var galleryEventsFunction = 'galleryEvents'
var batchAccounts = filter(map(split(batchAccountIds, ','), id => trim(id)), id => !empty(id))
var poolIdentities = filter(map(split(poolIdentityIds, ','), id => trim(id)), id => !empty(id))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: { name: '${abbrs.identity}${resourceToken}', location: location, tags: tags }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storage}${resourceToken}'
    location: location
    tags: tags
    buildQueueName: buildQueueName
    principalId: identity.outputs.principalId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBus}${resourceToken}'
    location: location
    tags: tags
    topicName: eventsTopicName
    buildQueueName: serviceBusBuildQueueName
    principalId: identity.outputs.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.logAnalytics}${resourceToken}'
    appInsightsName: '${abbrs.appInsights}${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: '${abbrs.functionApp}${resourceToken}'
    planName: '${abbrs.plan}${resourceToken}'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    timingsTableEndpoint: storage.outputs.tableEndpoint
    timingsTableName: storage.outputs.timingsTableName
    appInsightsConnectionString: monitoring.outputs.connectionString
    serviceBusNamespaceHost: serviceBus.outputs.host
    buildQueueName: buildQueueName
    serviceBusBuildQueueName: serviceBusBuildQueueName
    eventsTopicName: eventsTopicName
    factoryConfig: factoryConfig
    refreshSchedule: refreshSchedule
    workingResourceGroupId: workingGroupId
  }
}

// The gallery: publish definitions and versions (Compute Gallery Artifacts Publisher on the gallery),
// and Event Grid notices of versions written there.
module galleryAccess 'roles/gallery.bicep' = {
  name: 'gallery-access'
  scope: resourceGroup(galleryParts[2], galleryParts[4])
  params: { galleryName: galleryParts[8], principalId: identity.outputs.principalId }
}

module galleryTopic 'modules/eventgrid.bicep' = {
  name: 'gallery-topic'
  scope: resourceGroup(galleryParts[2], galleryParts[4])
  params: {
    topicName: 'evgt-gallery-${resourceToken}'
    existingTopicName: existingGalleryTopicName
    identityId: identity.outputs.id
    tags: tags
  }
}

// The build VM and its disks: read them, and open disks for copy.
module buildAccess 'roles/build.bicep' = {
  name: 'build-access'
  scope: resourceGroup(buildParts[2], buildParts[4])
  params: { principalId: identity.outputs.principalId }
}

// Snapshots of the build VM's disks live here, and are deleted after publishing.
module workingAccess 'roles/working.bicep' = {
  name: 'working-access'
  scope: resourceGroup(workingParts[2], workingParts[4])
  params: { principalId: identity.outputs.principalId }
}

// Pools in each Batch account: written through the management plane, read through the data plane.
module batchAccess 'roles/batch.bicep' = [
  for (accountId, i) in batchAccounts: {
    name: 'batch-access-${i}'
    scope: resourceGroup(split(accountId, '/')[2], split(accountId, '/')[4])
    params: { batchAccountName: split(accountId, '/')[8], principalId: identity.outputs.principalId }
  }
]

// The identities pool templates assign to pools: the app needs the assign action on each.
module poolIdentityAccess 'roles/poolIdentity.bicep' = [
  for (identityId, i) in poolIdentities: {
    name: 'pool-identity-access-${i}'
    scope: resourceGroup(split(identityId, '/')[2], split(identityId, '/')[4])
    params: { identityName: split(identityId, '/')[8], principalId: identity.outputs.principalId }
  }
]

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output AZURE_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output BIF_BUILD_QUEUE string = buildQueueName
output BIF_SERVICEBUS_NAMESPACE string = serviceBus.outputs.host
output BIF_EVENTS_TOPIC string = eventsTopicName
output BIF_BUILD_SERVICEBUS_QUEUE string = serviceBusBuildQueueName
// Read by the postdeploy hook to subscribe galleryEvents once the code is deployed.
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id
output AZURE_USER_ASSIGNED_IDENTITY_ID string = identity.outputs.id
output BIF_GALLERY_ID string = galleryId
output BIF_GALLERY_EVENTS_FUNCTION string = galleryEventsFunction
output BIF_GALLERY_TOPIC_NAME string = galleryTopic.outputs.name
output BIF_GALLERY_TOPIC_REUSED string = empty(existingGalleryTopicName) ? 'false' : 'true'
output BIF_GALLERY_TOPIC_SUBSCRIPTION_ID string = galleryParts[2]
output BIF_GALLERY_TOPIC_RESOURCE_GROUP string = galleryParts[4]
output BIF_DEAD_LETTER_STORAGE_ID string = storage.outputs.id
output BIF_DEAD_LETTER_CONTAINER string = storage.outputs.deadLetterContainer
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
