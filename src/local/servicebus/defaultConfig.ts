import type { BrokerConfig } from './entities';
import { SETTINGS } from '../../config/settings';

/**
 * The events topic with the subscriptions local tools read: `all` for `npm start` and tests,
 * `cli` for `bif events`. Duplicate detection is on, as infra/ sets it in Azure.
 */
export const DEFAULT_BROKER_CONFIG: BrokerConfig = {
  topics: [{ name: SETTINGS.eventsTopic.default, subscriptions: ['all', 'cli'], duplicateDetection: true }],
};
