#!/bin/sh
# azd postdeploy hook: subscribe the galleryEvents function to gallery changes.
#
# Why here and not in infra/main.bicep: Event Grid validates an Azure Function destination when the
# subscription is created, and the function only exists once `azd deploy` has pushed the code
# ("Endpoint validation: Destination endpoint not found" on a first `azd up`). So provisioning
# creates the system topic, and this hook, after the code is deployed, waits until the function is
# listed as an Event Grid trigger and only then deploys infra/postdeploy/galleryEvents.bicep.
#
# azd runs hooks with the azd environment: the outputs of infra/main.bicep arrive as environment
# variables (run `azd env refresh` first when only `azd deploy` runs on a fresh machine).
# Needs the Azure CLI, signed in to the same tenant (az login / azure/login in CI).
set -eu

missing=""
for name in AZURE_FUNCTION_APP_ID BIF_GALLERY_EVENTS_FUNCTION BIF_GALLERY_ID BIF_GALLERY_TOPIC_NAME \
  BIF_GALLERY_TOPIC_SUBSCRIPTION_ID BIF_GALLERY_TOPIC_RESOURCE_GROUP BIF_GALLERY_TOPIC_REUSED \
  BIF_DEAD_LETTER_STORAGE_ID BIF_DEAD_LETTER_CONTAINER AZURE_USER_ASSIGNED_IDENTITY_ID; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
  echo "postdeploy: missing azd environment values:$missing. They are outputs of infra/main.bicep: run 'azd provision' (or 'azd env refresh') and deploy again." >&2
  exit 1
fi

if [ "${BIF_GALLERY_EVENTS:-on}" = "off" ]; then
  echo "postdeploy: BIF_GALLERY_EVENTS=off, not subscribing ${BIF_GALLERY_EVENTS_FUNCTION} to gallery events."
  exit 0
fi

# The gate: the function must be listed, as an Event Grid trigger, before Event Grid is asked to
# validate it. A Flex Consumption app lists its functions shortly after the package is deployed.
attempts="${BIF_HOOK_WAIT_ATTEMPTS:-30}"
pause="${BIF_HOOK_WAIT_SECONDS:-10}"
function_url="${AZURE_FUNCTION_APP_ID}/functions/${BIF_GALLERY_EVENTS_FUNCTION}?api-version=2024-04-01"
i=0
until az rest --method get --url "$function_url" --only-show-errors 2>/dev/null | grep -qi '"type": *"eventGridTrigger"'; do
  i=$((i + 1))
  if [ "$i" -ge "$attempts" ]; then
    echo "postdeploy: function '${BIF_GALLERY_EVENTS_FUNCTION}' is not listed as an Event Grid trigger in ${AZURE_FUNCTION_APP_ID} after ${attempts} checks. Check that 'azd deploy' succeeded and that the app registers it (package.json main), then run 'azd hooks run postdeploy'." >&2
    exit 1
  fi
  sleep "$pause"
done

# A reused topic (BIF_EVENTGRID_TOPIC_NAME) keeps its own identities; dead-lettering as the app's
# identity needs that identity attached to the topic.
if [ "$BIF_GALLERY_TOPIC_REUSED" = "true" ]; then
  topic_url="/subscriptions/${BIF_GALLERY_TOPIC_SUBSCRIPTION_ID}/resourceGroups/${BIF_GALLERY_TOPIC_RESOURCE_GROUP}/providers/Microsoft.EventGrid/systemTopics/${BIF_GALLERY_TOPIC_NAME}?api-version=2025-02-15"
  if ! az rest --method get --url "$topic_url" --only-show-errors | grep -qiF "\"${AZURE_USER_ASSIGNED_IDENTITY_ID}\""; then
    echo "postdeploy: the existing system topic '${BIF_GALLERY_TOPIC_NAME}' does not carry the app's identity, which dead-letters failed deliveries. Attach it once: az eventgrid system-topic update -g ${BIF_GALLERY_TOPIC_RESOURCE_GROUP} -n ${BIF_GALLERY_TOPIC_NAME} --identity UserAssigned --user-assigned-identity ${AZURE_USER_ASSIGNED_IDENTITY_ID} (keep any identities it already has), then run 'azd hooks run postdeploy'." >&2
    exit 1
  fi
fi

here=$(dirname "$0")
az deployment group create \
  --subscription "$BIF_GALLERY_TOPIC_SUBSCRIPTION_ID" \
  --resource-group "$BIF_GALLERY_TOPIC_RESOURCE_GROUP" \
  --name "bif-gallery-events-${BIF_GALLERY_TOPIC_NAME}" \
  --template-file "$here/../../infra/postdeploy/galleryEvents.bicep" \
  --parameters \
  "topicName=$BIF_GALLERY_TOPIC_NAME" \
  "galleryId=$BIF_GALLERY_ID" \
  "functionAppId=$AZURE_FUNCTION_APP_ID" \
  "functionName=$BIF_GALLERY_EVENTS_FUNCTION" \
  "deadLetterStorageId=$BIF_DEAD_LETTER_STORAGE_ID" \
  "deadLetterContainer=$BIF_DEAD_LETTER_CONTAINER" \
  "identityId=$AZURE_USER_ASSIGNED_IDENTITY_ID" \
  --only-show-errors --output none
echo "postdeploy: ${BIF_GALLERY_EVENTS_FUNCTION} subscribed to image version writes in ${BIF_GALLERY_ID}."
