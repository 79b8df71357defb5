import type { AddressInfo, Server } from 'node:net';
import rhea from 'rhea';
import type { BrokerConfig, StoredMessage } from './entities';
import { Dispatcher } from './dispatch';
import { enqueue } from './intake';
import {
  acceptLink,
  Links,
  managedEntity,
  MAX_MESSAGE_SIZE,
  receivingAddress,
  sendingAddress,
} from './links';
import { Locks } from './locks';
import { Management, reply } from './management';
import { BrokerState } from './state';
import { BATCH_FORMAT, batchedMessages } from './wireMessage';

/**
 * A local Service Bus broker: AMQP 1.0 on rhea, enough for the real `ServiceBusClient` with a
 * `UseDevelopmentEmulator=true` connection string — send (single, array, batch), peek-lock receive with
 * complete / abandon / dead-letter / lock renewal, receive-and-delete, peek, queues and topics with
 * declared subscriptions, and duplicate detection on message id.
 *
 * This file only wires AMQP events to the parts that do the work: links.ts (connections and attaches),
 * intake.ts and duplicates.ts (sends into queues and topics), dispatch.ts (deliveries to receivers),
 * locks.ts (settlement, renewal, expiry), management.ts (`$management` operations), state.ts (stores
 * and persistence).
 */
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
  const state = new BrokerState(config, options.statePath);
  const container = rhea.create_container({ id: 'bif-local-servicebus' });
  const links = new Links(container);
  const locks = new Locks(state, (store) => dispatcher.pumpStore(store));
  const dispatcher = new Dispatcher(state, links, locks);
  const management = new Management(state, locks);

  container.on('sender_open', (context: rhea.EventContext) => {
    const address = receivingAddress(context.sender!) ?? '';
    acceptLink(context.sender!, address, Boolean(state.storeFor(address)), false);
  });
  container.on('receiver_open', (context: rhea.EventContext) => {
    const address = sendingAddress(context.receiver!);
    acceptLink(context.receiver!, address, Boolean(state.entityFor(address)), true);
  });
  container.on('message', (context: rhea.EventContext) => receive(context));
  container.on('sendable', (context: rhea.EventContext) => dispatcher.pump(context.sender!));
  container.on('sender_draining', (context: rhea.EventContext) => {
    dispatcher.pump(context.sender!);
    context.sender!.set_drained(true);
  });
  onSettlement(container, locks);
  container.on('error', () => undefined); // a client going away mid-frame is not the broker's failure

  /** A transfer from a client: a CBS token, a management request, or messages for an entity. */
  function receive(context: rhea.EventContext): void {
    const address = sendingAddress(context.receiver!);
    if (address === '$cbs') return reply(context, { 'status-code': 202, 'status-description': 'Accepted' });
    const managed = managedEntity(address);
    if (managed !== undefined) return management.handle(context, managed);
    const entity = state.entityFor(address);
    if (!entity)
      return context.delivery?.reject({ condition: 'amqp:not-found', description: `No entity ${address}` });
    const size = transferSize(context);
    if (size > MAX_MESSAGE_SIZE)
      // What Service Bus answers a transfer over the link's max-message-size; nothing is enqueued.
      return context.delivery?.reject({
        condition: 'amqp:link:message-size-exceeded',
        description: `The received message (size: ${size} bytes) exceeds the limit (${MAX_MESSAGE_SIZE} bytes) currently allowed on the link.`,
      });
    const messages =
      (context as any).format === BATCH_FORMAT
        ? batchedMessages(context.message as unknown as Buffer)
        : [context.message as unknown as Record<string, any>];
    for (const message of messages) enqueue(state, entity, message, (store) => dispatcher.pumpStore(store));
    // rhea writes the accept disposition after this handler returns: the send is on disk first.
    state.persist();
  }

  locks.startExpiring();
  return listen(container, options.port ?? 0, state, links, locks);
}

/** The bytes of a transfer: a batch arrives as its raw buffer, a single message is measured encoded. */
function transferSize(context: rhea.EventContext): number {
  const message = context.message as unknown;
  return Buffer.isBuffer(message) ? message.length : rhea.message.encode(message as rhea.Message).length;
}

/** Settlement of deliveries we sent, on the receiving link. */
function onSettlement(container: rhea.Container, locks: Locks): void {
  container.on('accepted', (context: rhea.EventContext) => locks.settle(context.delivery!, 'complete'));
  container.on('released', (context: rhea.EventContext) => locks.settle(context.delivery!, 'abandon'));
  container.on('modified', (context: rhea.EventContext) => locks.settle(context.delivery!, 'abandon'));
  container.on('rejected', (context: rhea.EventContext) => {
    const error = (context.delivery as any).remote_state?.error;
    locks.settle(context.delivery!, 'deadletter', {
      reason: error?.info?.DeadLetterReason,
      description: error?.info?.DeadLetterErrorDescription ?? error?.description,
    });
  });
}

async function listen(
  container: rhea.Container,
  port: number,
  state: BrokerState,
  links: Links,
  locks: Locks,
): Promise<RunningBroker> {
  const listener = container.listen({ port, host: '127.0.0.1' }) as unknown as Server;
  await new Promise<void>((resolve, reject) => {
    listener.once('listening', () => resolve());
    listener.once('error', reject);
  });
  const bound = (listener.address() as AddressInfo).port;
  return {
    port: bound,
    connectionString: `Endpoint=sb://127.0.0.1:${bound};SharedAccessKeyName=local;SharedAccessKey=local;UseDevelopmentEmulator=true`,
    count: (path) => state.storeFor(path)?.all().length ?? 0,
    peekAll: (path) => state.storeFor(path)?.all() ?? [],
    stop: async () => {
      locks.stop();
      links.closeAll();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
