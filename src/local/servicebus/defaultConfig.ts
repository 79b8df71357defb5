import type { BrokerConfig } from './entities';
import { SETTINGS } from '../../config/settings';

/**
 * The events topic with the subscriptions local tools read: `all` for `npm start` and tests,
 * `cli` for `bif events`. Duplicate detection is on, as infra/ sets it in Azure. The build-request
 * queue has the lock and delivery count infra/ gives it, so a rejected request dead-letters here
 * after as many deliveries as in Azure.
 */
export const BUILD_QUEUE_MAX_DELIVERY_COUNT = 10;

export const DEFAULT_BROKER_CONFIG: BrokerConfig = {
  queues: [
    {
      name: SETTINGS.serviceBusBuildQueue.default,
      maxDeliveryCount: BUILD_QUEUE_MAX_DELIVERY_COUNT,
      lockDurationSeconds: 60,
    },
  ],
  topics: [{ name: SETTINGS.eventsTopic.default, subscriptions: ['all', 'cli'], duplicateDetection: true }],
};
