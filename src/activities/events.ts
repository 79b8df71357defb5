import type { Services } from './services';
import { makeEvent, type EventToPublish } from '../domain/events';

/**
 * Publishes milestones. Ids come from (instance, type, subject, occurrence), so when Durable runs this activity
 * twice, Service Bus duplicate detection drops the second copy.
 */
export async function publishEvents(
  s: Services,
  input: { instanceId: string; requestId: string; occurrence?: string; events: EventToPublish[] },
): Promise<{ ids: string[] }> {
  const time = s.clock.now().toISOString();
  const events = input.events.map((e) =>
    makeEvent(e.type, {
      instanceId: input.instanceId,
      subject: e.subject,
      time,
      data: e.data,
      occurrence: input.occurrence,
    }),
  );
  await s.events.publish(events, { requestId: input.requestId });
  return { ids: events.map((e) => e.id) };
}
