import rhea from 'rhea';
import type { MessageStore } from './entities';
import type { Locks, Outcome } from './locks';
import type { BrokerState } from './state';
import { wireMessage } from './wireMessage';

type Body = Record<string, any>;

/**
 * The `$management` request-response operations on an entity the SDK uses: peek, lock renewal, and
 * settlement by lock token (when the receiving link is gone).
 */
export class Management {
  constructor(
    private readonly state: BrokerState,
    private readonly locks: Locks,
  ) {}

  handle(context: rhea.EventContext, entityPath: string): void {
    const request = context.message!;
    const operation = String(request.application_properties?.operation ?? '');
    const store = this.state.storeFor(entityPath);
    const body = (request.body ?? {}) as Body;
    if (!store) return reply(context, { statusCode: 404, statusDescription: `No entity ${entityPath}` });
    switch (operation) {
      case 'com.microsoft:peek-message':
        return this.peek(context, store, body);
      case 'com.microsoft:renew-lock':
        return this.renewLock(context, store, body);
      case 'com.microsoft:update-disposition':
        return this.updateDisposition(context, store, body);
      default:
        return reply(context, {
          statusCode: 501,
          statusDescription: `The broker does not implement ${operation}.`,
        });
    }
  }

  private peek(context: rhea.EventContext, store: MessageStore, body: Body): void {
    const from = Number(body['from-sequence-number'] ?? 0);
    const count = Number(body['message-count'] ?? 1);
    const found = store
      .all()
      .filter((m) => m.sequenceNumber >= from)
      .slice(0, count);
    if (found.length === 0) return reply(context, { statusCode: 204, statusDescription: 'No Content' });
    return reply(
      context,
      { statusCode: 200 },
      {
        messages: found.map((m) => ({
          message: rhea.message.encode(wireMessage(m, m.lock?.until) as rhea.Message),
        })),
      },
    );
  }

  private renewLock(context: rhea.EventContext, store: MessageStore, body: Body): void {
    const expirations = this.locks.renew(store, (body['lock-tokens'] ?? []) as Buffer[]);
    if (expirations.some((e) => e === undefined)) {
      return reply(context, {
        statusCode: 410,
        statusDescription:
          'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
        errorCondition: 'com.microsoft:message-lock-lost',
      });
    }
    return reply(context, { statusCode: 200 }, { expirations });
  }

  private updateDisposition(context: rhea.EventContext, store: MessageStore, body: Body): void {
    const status = String(body['disposition-status']);
    const outcome: Outcome =
      status === 'completed' ? 'complete' : status === 'suspended' ? 'deadletter' : 'abandon';
    for (const token of (body['lock-tokens'] ?? []) as Buffer[]) {
      const stored = this.locks.findLocked(store, token);
      if (stored)
        this.locks.applyOutcome(store, stored, outcome, {
          reason: body['deadletter-reason'],
          description: body['deadletter-description'],
        });
    }
    this.state.persist();
    return reply(context, { statusCode: 200 });
  }
}

/** Answers a request-response call on the link the client named by reply_to. */
export function reply(context: rhea.EventContext, properties: Record<string, unknown>, body?: unknown): void {
  const request = context.message!;
  const replyTo = request.reply_to;
  const sender = context.connection.find_sender(
    (s: rhea.Sender) => s.name === replyTo || (s as any).remote.attach?.target?.address === replyTo,
  );
  const status = properties.statusCode ?? properties['status-code'];
  const description = properties.statusDescription ?? properties['status-description'] ?? '';
  sender?.send({
    to: replyTo,
    correlation_id: request.message_id,
    application_properties: {
      ...properties,
      statusCode: status,
      'status-code': status,
      statusDescription: description,
      'status-description': description,
    },
    body: body ?? {},
  } as rhea.Message);
}
