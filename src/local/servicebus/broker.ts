import { randomBytes } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import rhea from 'rhea';
import {
  buildEntities,
  DUPLICATE_WINDOW_MS,
  type BrokerConfig,
  type Entity,
  type MessageStore,
  type StoredMessage,
} from './entities';
import { loadBroker, saveBroker } from './persistence';

/**
 * A local Service Bus broker: AMQP 1.0 on rhea, enough for the real `ServiceBusClient` with a
 * `UseDevelopmentEmulator=true` connection string — send (single, array, batch), peek-lock receive with
 * complete / abandon / dead-letter / lock renewal, receive-and-delete, peek, queues and topics with
 * declared subscriptions, and duplicate detection on message id.
 */
const BATCH_FORMAT = 0x80013700;
const MAX_MESSAGE_SIZE = 256 * 1024; // Service Bus Standard tier
const LOCK_SWEEP_MS = 500;

export interface RunningBroker {
  port: number;
  connectionString: string;
  /** Messages waiting (available + locked) at a path, e.g. "bif-events/Subscriptions/all". */
  count(path: string): number;
  peekAll(path: string): StoredMessage[];
  stop(): Promise<void>;
}

export async function startBroker(
  config: BrokerConfig,
  /** statePath: keep messages and duplicate-detection ids in this file across restarts (see persistence.ts). */
  options: { port?: number; statePath?: string } = {},
): Promise<RunningBroker> {
  const { entities, stores } = buildEntities(config);
  const container = rhea.create_container({ id: 'bif-local-servicebus' });
  let sequence = options.statePath ? loadBroker(options.statePath, entities, stores) : 0;
  const persist = () => {
    if (options.statePath) saveBroker(options.statePath, sequence, entities, stores);
  };
  const deliveries = new WeakMap<object, { store: MessageStore; stored: StoredMessage }>();

  const storeFor = (address: string | undefined) => (address ? stores.get(address.toLowerCase()) : undefined);
  const entityFor = (address: string | undefined) =>
    address ? entities.get(address.toLowerCase()) : undefined;

  /**
   * Attaches are echoed as the client asked (source, target, settle modes); links the client sends on
   * get a max message size (without one the SDK thinks batches hold nothing). Unknown entities detach.
   */
  const acceptLink = (
    link: rhea.Sender | rhea.Receiver,
    address: string,
    known: boolean,
    clientSends: boolean,
  ) => {
    const remote = (link as any).remote.attach;
    link.set_source(remote.source);
    link.set_target(remote.target);
    const local = (link as any).local.attach;
    if (clientSends) local.max_message_size = MAX_MESSAGE_SIZE;
    local.snd_settle_mode = remote.snd_settle_mode;
    local.rcv_settle_mode = remote.rcv_settle_mode;
    if (address !== '$cbs' && !address.endsWith('/$management') && !known) {
      link.close({
        condition: 'amqp:not-found',
        description: `The messaging entity '${address}' could not be found. Declare it in the broker config.`,
      });
    }
  };
  container.on('sender_open', (context: rhea.EventContext) => {
    const address: string = (context.sender as any).remote.attach.source?.address ?? '';
    acceptLink(context.sender!, address, Boolean(storeFor(address)), false);
  });
  container.on('receiver_open', (context: rhea.EventContext) => {
    const address: string = (context.receiver as any).remote.attach.target?.address ?? '';
    acceptLink(context.receiver!, address, Boolean(entityFor(address)), true);
  });

  container.on('message', (context: rhea.EventContext) => {
    const address: string = (context.receiver as any).remote.attach.target?.address ?? '';
    if (address === '$cbs') return reply(context, { 'status-code': 202, 'status-description': 'Accepted' });
    if (address.endsWith('/$management')) return manage(context, address.slice(0, -'/$management'.length));
    const entity = entityFor(address);
    if (!entity)
      return context.delivery?.reject({ condition: 'amqp:not-found', description: `No entity ${address}` });
    const format = (context as any).format;
    const messages =
      format === BATCH_FORMAT
        ? batchedMessages(context.message as unknown as Buffer)
        : [context.message as unknown as Record<string, any>];
    for (const message of messages) enqueue(entity, message);
    // rhea writes the accept disposition after this handler returns: the send is on disk first.
    persist();
  });

  container.on('sendable', (context: rhea.EventContext) => pump(context.sender!));
  container.on('sender_draining', (context: rhea.EventContext) => {
    pump(context.sender!);
    context.sender!.set_drained(true);
  });

  // Settlement of deliveries we sent, on the receiving link.
  container.on('accepted', (context: rhea.EventContext) => settle(context.delivery!, 'complete'));
  container.on('released', (context: rhea.EventContext) => settle(context.delivery!, 'abandon'));
  container.on('modified', (context: rhea.EventContext) => settle(context.delivery!, 'abandon'));
  container.on('rejected', (context: rhea.EventContext) => {
    const error = (context.delivery as any).remote_state?.error;
    settle(context.delivery!, 'deadletter', {
      reason: error?.info?.DeadLetterReason,
      description: error?.info?.DeadLetterErrorDescription ?? error?.description,
    });
  });
  container.on('error', () => undefined); // a client going away mid-frame is not the broker's failure

  function batchedMessages(buffer: Buffer): Record<string, any>[] {
    const outer = rhea.message.decode(buffer) as any;
    const body = outer.body;
    const parts: Buffer[] = body?.multiple ? body.content : [body?.content ?? body];
    return parts.map((part) => rhea.message.decode(part) as unknown as Record<string, any>);
  }

  function enqueue(entity: Entity, message: Record<string, any>): void {
    const now = Date.now();
    message.message_id ??= rhea.generate_uuid();
    if (entity.duplicateDetection) {
      for (const [id, at] of entity.seen) if (now - at > DUPLICATE_WINDOW_MS) entity.seen.delete(id);
      const key = String(message.message_id);
      if (entity.seen.has(key)) return; // duplicate within the window: accepted and dropped, like Service Bus
      entity.seen.set(key, now);
    }
    for (const store of entity.stores) {
      store.available.push({
        sequenceNumber: ++sequence,
        enqueuedAt: new Date(now),
        deliveryCount: 0,
        // Each subscription gets its own copy; bodies stay Buffers (structuredClone would make them Uint8Arrays).
        message: { ...message },
      });
      pumpStore(store);
    }
  }

  function pumpStore(store: MessageStore): void {
    container_senders().forEach((sender) => {
      if (storeFor((sender as any).remote.attach?.source?.address) === store) pump(sender);
    });
  }

  const connections = new Set<rhea.Connection>();
  container.on('connection_open', (context: rhea.EventContext) => connections.add(context.connection));
  container.on('disconnected', (context: rhea.EventContext) => connections.delete(context.connection));
  container.on('connection_close', (context: rhea.EventContext) => connections.delete(context.connection));
  function container_senders(): rhea.Sender[] {
    const out: rhea.Sender[] = [];
    for (const connection of connections) (connection as any).each_sender((s: rhea.Sender) => out.push(s));
    return out;
  }

  function wireMessage(stored: StoredMessage, lockedUntil?: Date): Record<string, any> {
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
      ...(stored.deadLetter
        ? {
            application_properties: {
              ...(stored.message.application_properties ?? {}),
              ...(stored.deadLetter.reason ? { DeadLetterReason: stored.deadLetter.reason } : {}),
              ...(stored.deadLetter.description
                ? { DeadLetterErrorDescription: stored.deadLetter.description }
                : {}),
            },
          }
        : {}),
    };
  }

  function pump(sender: rhea.Sender): void {
    const store = storeFor((sender as any).remote.attach?.source?.address);
    if (!store || !sender.is_open()) return;
    const peekLock = (sender as any).local.attach.snd_settle_mode !== 1;
    let removed = false;
    while (sender.sendable() && store.available.length > 0) {
      const stored = store.available.shift()!;
      if (peekLock) {
        const tag = randomBytes(16);
        const until = new Date(Date.now() + store.lockDurationMs);
        const delivery = sender.send(wireMessage(stored, until) as rhea.Message, tag);
        stored.lock = { token: tag.toString('hex'), until, link: sender, delivery };
        store.locked.set(stored.lock.token, stored);
        deliveries.set(delivery, { store, stored });
      } else {
        sender.send(wireMessage(stored) as rhea.Message, randomBytes(16));
        removed = true;
      }
    }
    if (removed) persist(); // receive-and-delete: gone once sent
  }

  type Outcome = 'complete' | 'abandon' | 'deadletter';
  function settle(delivery: rhea.Delivery, outcome: Outcome, deadLetter?: StoredMessage['deadLetter']): void {
    const entry = deliveries.get(delivery);
    if (entry && applyOutcome(entry.store, entry.stored, outcome, deadLetter)) persist();
    // Receiver settle mode "second": the client waits for us to settle with the outcome it chose.
    const outcomes = rhea.message as unknown as Record<string, (fields?: object) => { described(): unknown }>;
    const state =
      outcome === 'complete'
        ? outcomes.accepted!()
        : outcome === 'deadletter'
          ? outcomes.rejected!({})
          : outcomes.modified!({ delivery_failed: true });
    delivery.update(true, state.described() as any);
  }

  function applyOutcome(
    store: MessageStore,
    stored: StoredMessage,
    outcome: Outcome,
    deadLetter?: StoredMessage['deadLetter'],
  ): boolean {
    if (!stored.lock || !store.locked.delete(stored.lock.token)) return false;
    stored.lock = undefined;
    if (outcome === 'deadletter') moveToDeadLetter(store, stored, deadLetter ?? {});
    else if (outcome === 'abandon') requeue(store, stored);
    return true;
  }

  function requeue(store: MessageStore, stored: StoredMessage): void {
    stored.deliveryCount += 1;
    if (stored.deliveryCount >= store.maxDeliveryCount) {
      moveToDeadLetter(store, stored, {
        reason: 'MaxDeliveryCountExceeded',
        description: `Message could not be consumed after ${store.maxDeliveryCount} delivery attempts.`,
      });
      return;
    }
    store.available.push(stored);
    store.available.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    pumpStore(store);
  }

  function moveToDeadLetter(
    store: MessageStore,
    stored: StoredMessage,
    deadLetter: NonNullable<StoredMessage['deadLetter']>,
  ): void {
    if (!store.deadLetters) return;
    store.deadLetters.available.push({ ...stored, lock: undefined, deadLetter });
    pumpStore(store.deadLetters);
  }

  // Locks that expire return their message, like Service Bus, counting a failed delivery.
  const sweeper = setInterval(() => {
    const now = Date.now();
    let expired = false;
    for (const store of new Set(stores.values())) {
      for (const stored of [...store.locked.values()]) {
        if (stored.lock && stored.lock.until.getTime() <= now) {
          store.locked.delete(stored.lock.token);
          stored.lock = undefined;
          requeue(store, stored);
          expired = true;
        }
      }
    }
    if (expired) persist();
  }, LOCK_SWEEP_MS);
  sweeper.unref();

  /** Lock tokens come back in .NET GUID byte order; the tag we sent is the same bytes reordered. */
  function findLocked(store: MessageStore, token: Buffer): StoredMessage | undefined {
    const dotnet = Buffer.from([
      token[3]!,
      token[2]!,
      token[1]!,
      token[0]!,
      token[5]!,
      token[4]!,
      token[7]!,
      token[6]!,
      ...token.subarray(8),
    ]);
    return store.locked.get(dotnet.toString('hex')) ?? store.locked.get(token.toString('hex'));
  }

  function manage(context: rhea.EventContext, entityPath: string): void {
    const request = context.message!;
    const operation = String(request.application_properties?.operation ?? '');
    const store = storeFor(entityPath);
    const body = (request.body ?? {}) as Record<string, any>;
    if (!store) return reply(context, { statusCode: 404, statusDescription: `No entity ${entityPath}` });
    switch (operation) {
      case 'com.microsoft:peek-message': {
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
      case 'com.microsoft:renew-lock': {
        const expirations = ((body['lock-tokens'] ?? []) as Buffer[]).map((token) => {
          const stored = findLocked(store, token);
          if (!stored?.lock) return undefined;
          stored.lock.until = new Date(Date.now() + store.lockDurationMs);
          return stored.lock.until;
        });
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
      case 'com.microsoft:update-disposition': {
        const status = String(body['disposition-status']);
        const outcome: Outcome =
          status === 'completed' ? 'complete' : status === 'suspended' ? 'deadletter' : 'abandon';
        for (const token of (body['lock-tokens'] ?? []) as Buffer[]) {
          const stored = findLocked(store, token);
          if (stored)
            applyOutcome(store, stored, outcome, {
              reason: body['deadletter-reason'],
              description: body['deadletter-description'],
            });
        }
        persist();
        return reply(context, { statusCode: 200 });
      }
      default:
        return reply(context, {
          statusCode: 501,
          statusDescription: `The broker does not implement ${operation}.`,
        });
    }
  }

  /** Answers a request-response call on the link the client named by reply_to. */
  function reply(context: rhea.EventContext, properties: Record<string, unknown>, body?: unknown): void {
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

  const listener = container.listen({ port: options.port ?? 0, host: '127.0.0.1' }) as unknown as Server;
  await new Promise<void>((resolve, reject) => {
    listener.once('listening', () => resolve());
    listener.once('error', reject);
  });
  const port = (listener.address() as AddressInfo).port;
  return {
    port,
    connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=local;SharedAccessKey=local;UseDevelopmentEmulator=true`,
    count: (path) => storeFor(path)?.all().length ?? 0,
    peekAll: (path) => storeFor(path)?.all() ?? [],
    stop: async () => {
      clearInterval(sweeper);
      for (const connection of connections) connection.close();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
