import { VERSION_WRITE, WRITE_SUCCESS } from '../triggers/galleryEvents';
import type { EventSubscriptionInput } from './simulator/eventGrid';

/**
 * The Functions host's Event Grid webhook for one function, with the `eventgrid_extension` system key as
 * `code=`, as Azure's subscription URL carries it. Built here and nowhere else.
 */
export function eventGridWebhookUrl(hostOrigin: string, functionName: string, systemKey: string): string {
  const url = new URL('/runtime/webhooks/eventgrid', hostOrigin);
  url.searchParams.set('functionName', functionName);
  url.searchParams.set('code', systemKey);
  return url.toString();
}

/** The local twin of the subscription in infra/modules/eventgrid.bicep: image version writes, to galleryEvents. */
export function galleryEventsSubscription(hostOrigin: string, systemKey: string): EventSubscriptionInput {
  return {
    name: 'gallery-version-writes',
    endpoint: eventGridWebhookUrl(hostOrigin, 'galleryEvents', systemKey),
    includedEventTypes: [WRITE_SUCCESS],
    advancedFilters: [{ operatorType: 'StringIn', key: 'data.operationName', values: [VERSION_WRITE] }],
    maxDeliveryAttempts: 30,
    eventTimeToLiveInMinutes: 1440,
  };
}
