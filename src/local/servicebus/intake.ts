import rhea from 'rhea';
import { isDuplicate } from './duplicates';
import type { Entity, MessageStore } from './entities';
import type { BrokerState } from './state';

/**
 * A message sent to an entity: a queue keeps it, a topic gives each subscription its own copy, numbered
 * in arrival order. A duplicate within the detection window is dropped.
 */
export function enqueue(
  state: BrokerState,
  entity: Entity,
  message: Record<string, any>,
  wake: (store: MessageStore) => void,
): void {
  const now = Date.now();
  message.message_id ??= rhea.generate_uuid();
  if (isDuplicate(entity, String(message.message_id), now)) return;
  for (const store of entity.stores) {
    store.available.push({
      sequenceNumber: state.nextSequenceNumber(),
      enqueuedAt: new Date(now),
      deliveryCount: 0,
      // Each subscription gets its own copy; bodies stay Buffers (structuredClone would make them Uint8Arrays).
      message: { ...message },
    });
    wake(store);
  }
}
