import { DUPLICATE_WINDOW_MS, type Entity } from './entities';

/**
 * Duplicate detection on message id, like Service Bus: a message whose id the entity saw within the window
 * is accepted and dropped. Ids older than the window are forgotten as messages arrive.
 */
export function isDuplicate(entity: Entity, messageId: string, now: number): boolean {
  if (!entity.duplicateDetection) return false;
  for (const [id, at] of entity.seen) if (now - at > DUPLICATE_WINDOW_MS) entity.seen.delete(id);
  if (entity.seen.has(messageId)) return true;
  entity.seen.set(messageId, now);
  return false;
}
