import { VERSION_WRITE, WRITE_SUCCESS } from '../triggers/galleryEvents';
import type { EventSubscriptionInput } from './simulator/eventGrid';

/**
 * The Functions host's Event Grid webhook for one function. Built here and nowhere else: in Azure the
 * URL also carries the `eventgrid_extension` system key as `code=`; if the embedded host starts
 * checking a key, this is the one place to add it.
 */
export function eventGridWebhookUrl(hostOrigin: string, functionName: string): string {
  const url = new URL('/runtime/webhooks/eventgrid', hostOrigin);
  url.searchParams.set('functionName', functionName);
  return url.toString();
}

/** The local twin of the subscription in infra/modules/eventgrid.bicep: image version writes, to galleryEvents. */
export function galleryEventsSubscription(hostOrigin: string): EventSubscriptionInput {
  return {
    name: 'gallery-version-writes',
    endpoint: eventGridWebhookUrl(hostOrigin, 'galleryEvents'),
    includedEventTypes: [WRITE_SUCCESS],
    advancedFilters: [{ operatorType: 'StringIn', key: 'data.operationName', values: [VERSION_WRITE] }],
    maxDeliveryAttempts: 30,
    eventTimeToLiveInMinutes: 1440,
  };
}
