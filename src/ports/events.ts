import type { CloudEvent } from '../domain/events';

/** Publishes milestone events (CloudEvents 1.0) to the events topic. */
export interface EventPublisher {
  publish(events: CloudEvent[], context: { requestId: string }): Promise<void>;
}
