import { randomUUID } from 'node:crypto';
import type { SimRequest } from '../http';
import { isCollection, parseArmPath, resourceIdOf } from '../arm/armPath';

/** An event in the Event Grid schema, as a system topic delivers it. */
export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: Record<string, unknown>;
  dataVersion: string;
  metadataVersion: string;
}

export const RESOURCE_WRITE_SUCCESS = 'Microsoft.Resources.ResourceWriteSuccess';
export const RESOURCE_DELETE_SUCCESS = 'Microsoft.Resources.ResourceDeleteSuccess';

/**
 * The Azure Resource Manager event a successful write raises on the subscription's system topic
 * (Microsoft.Resources.Subscriptions; a resource-group topic carries the same events for its group).
 * Shape from the official samples (test/fixtures/azure-vectors/eventgrid and MicrosoftDocs azure-docs
 * articles/event-grid/event-schema-resource-groups.md): a PUT's ResourceWriteSuccess has no
 * `httpRequest` when it creates; an update (PATCH, or a PUT over an existing resource) and a delete carry
 * `httpRequest` with the method and URL ("only included when updating an existing resource or deleting"). ARM
 * raises the event when it accepts the write, so a version's event arrives while it still replicates.
 * Undefined for anything that is not a successful write of one resource.
 */
export function armWriteEvent(
  request: SimRequest,
  status: number,
  context: { tenantId: string; principal: string; simTime: string; existedBefore: boolean },
): EventGridEvent | undefined {
  const method = request.method;
  if (method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE') return undefined;
  // A DELETE of something absent answers 204 and deletes nothing.
  if (status < 200 || status >= 300 || (method === 'DELETE' && status === 204)) return undefined;
  const path = parseArmPath(request.segments);
  if (!path?.resourceGroup || !path.provider || path.types.length === 0 || isCollection(path))
    return undefined;
  const resourceUri = resourceIdOf(path);
  const deleting = method === 'DELETE';
  const operationName = `${path.provider}/${path.types.join('/')}/${deleting ? 'delete' : 'write'}`;
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const correlationId = header('x-ms-correlation-request-id') ?? randomUUID();
  return {
    id: randomUUID(),
    // The resource group's system topic (the one infra/ subscribes to).
    topic: `/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`,
    subject: resourceUri,
    eventType: deleting ? RESOURCE_DELETE_SUCCESS : RESOURCE_WRITE_SUCCESS,
    eventTime: context.simTime,
    data: {
      authorization: { scope: resourceUri, action: operationName, evidence: { role: 'Contributor' } },
      claims: {
        appid: context.principal,
        'http://schemas.microsoft.com/identity/claims/objectidentifier': context.principal,
        'http://schemas.microsoft.com/identity/claims/tenantid': context.tenantId,
      },
      correlationId,
      ...(method === 'PUT' && !context.existedBefore
        ? {}
        : {
            httpRequest: {
              clientRequestId: header('x-ms-client-request-id') ?? '',
              clientIpAddress: '127.0.0.1',
              method,
              url: request.url.toString(),
            },
          }),
      resourceProvider: path.provider,
      resourceUri,
      operationName,
      status: 'Succeeded',
      subscriptionId: path.subscriptionId,
      tenantId: context.tenantId,
    },
    dataVersion: '2',
    metadataVersion: '1',
  };
}

/** Whether the resource an ARM request names exists now (asked before the request is served). */
export function armResourceExists(request: SimRequest, exists: (id: string) => boolean): boolean {
  const path = parseArmPath(request.segments);
  if (!path?.resourceGroup || !path.provider || path.types.length === 0 || isCollection(path)) return false;
  return exists(resourceIdOf(path));
}
