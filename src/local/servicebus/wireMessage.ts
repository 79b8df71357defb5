import rhea from 'rhea';
import type { StoredMessage } from './entities';

/** The transfer format of a batch: one AMQP message whose data sections are the encoded messages. */
export const BATCH_FORMAT = 0x80013700;

/** The messages of a batched transfer, decoded. */
export function batchedMessages(buffer: Buffer): Record<string, any>[] {
  const outer = rhea.message.decode(buffer) as any;
  const body = outer.body;
  const parts: Buffer[] = body?.multiple ? body.content : [body?.content ?? body];
  return parts.map((part) => rhea.message.decode(part) as unknown as Record<string, any>);
}

/** A stored message as Service Bus hands it out: the broker's annotations and dead-letter properties added. */
export function wireMessage(stored: StoredMessage, lockedUntil?: Date): Record<string, any> {
  return {
    ...stored.message,
    // rhea keeps header fields at the top level of a message.
    delivery_count: stored.deliveryCount,
    message_annotations: {
      ...(stored.message.message_annotations ?? {}),
      'x-opt-sequence-number': rhea.types.wrap_long(stored.sequenceNumber),
      'x-opt-enqueued-time': stored.enqueuedAt,
      ...(lockedUntil ? { 'x-opt-locked-until': lockedUntil } : {}),
    },
    ...(stored.deadLetter ? { application_properties: deadLetterProperties(stored) } : {}),
  };
}

function deadLetterProperties(stored: StoredMessage): Record<string, unknown> {
  const deadLetter = stored.deadLetter!;
  return {
    ...(stored.message.application_properties ?? {}),
    ...(deadLetter.reason ? { DeadLetterReason: deadLetter.reason } : {}),
    ...(deadLetter.description ? { DeadLetterErrorDescription: deadLetter.description } : {}),
  };
}
