import type { HistoryEvent } from './history';

export interface InboxMessage {
  id: number;
  event: HistoryEvent;
  /** The execution the message is for; null when it is for the instance (a raised event). */
  executionId?: string | null;
}

/**
 * The messages one turn delivers: as Azure's Durable Task Framework appends every message it fetched for
 * an instance to the history in one work item (TaskOrchestrationDispatcher.OnProcessWorkItemAsync), a
 * turn takes all of the instance's visible messages in arrival order. The one exception is ours: a
 * message that drives the engine's own retry bookkeeping (`ownsRetry`) is delivered alone, because the
 * engine numbers the retry's timer or next attempt before the turn's new actions, and the library
 * numbers them in the order it meets the events.
 */
export function turnBatch(
  pending: readonly InboxMessage[],
  ownsRetry: (event: HistoryEvent) => boolean,
): InboxMessage[] {
  const batch: InboxMessage[] = [];
  for (const message of pending) {
    if (ownsRetry(message.event)) return batch.length === 0 ? [message] : batch;
    batch.push(message);
  }
  return batch;
}
