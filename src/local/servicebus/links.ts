import type rhea from 'rhea';

/** Service Bus Standard tier: 256 KB a message (learn.microsoft.com/azure/service-bus-messaging/service-bus-quotas). */
export const MAX_MESSAGE_SIZE = 256 * 1024;
const MANAGEMENT_SUFFIX = '/$management';

/** The entity address a client receives from (its link's source). */
export function receivingAddress(sender: rhea.Sender): string | undefined {
  return (sender as any).remote.attach?.source?.address;
}

/** The entity address a client sends to (its link's target). */
export function sendingAddress(receiver: rhea.Receiver): string {
  return (receiver as any).remote.attach.target?.address ?? '';
}

/** The entity a `…/$management` address manages, or undefined for any other address. */
export function managedEntity(address: string): string | undefined {
  return address.endsWith(MANAGEMENT_SUFFIX) ? address.slice(0, -MANAGEMENT_SUFFIX.length) : undefined;
}

/** Whether the client settles first (receive-and-delete) rather than waiting for a lock (peek-lock). */
export function settlesOnSend(sender: rhea.Sender): boolean {
  return (sender as any).local.attach.snd_settle_mode === 1;
}

/** The open connections and the links on them. */
export class Links {
  private readonly connections = new Set<rhea.Connection>();

  constructor(container: rhea.Container) {
    container.on('connection_open', (context: rhea.EventContext) => this.connections.add(context.connection));
    container.on('disconnected', (context: rhea.EventContext) => this.connections.delete(context.connection));
    container.on('connection_close', (context: rhea.EventContext) =>
      this.connections.delete(context.connection),
    );
  }

  /** Every link the broker sends on (clients' receivers), across connections. */
  senders(): rhea.Sender[] {
    const out: rhea.Sender[] = [];
    for (const connection of this.connections)
      (connection as any).each_sender((s: rhea.Sender) => out.push(s));
    return out;
  }

  closeAll(): void {
    for (const connection of this.connections) connection.close();
  }
}

/**
 * Attaches are echoed as the client asked (source, target, settle modes); links the client sends on
 * get a max message size (without one the SDK thinks batches hold nothing). Unknown entities detach.
 */
export function acceptLink(
  link: rhea.Sender | rhea.Receiver,
  address: string,
  known: boolean,
  clientSends: boolean,
): void {
  const remote = (link as any).remote.attach;
  link.set_source(remote.source);
  link.set_target(remote.target);
  const local = (link as any).local.attach;
  if (clientSends) local.max_message_size = MAX_MESSAGE_SIZE;
  local.snd_settle_mode = remote.snd_settle_mode;
  local.rcv_settle_mode = remote.rcv_settle_mode;
  if (address !== '$cbs' && managedEntity(address) === undefined && !known) {
    link.close({
      condition: 'amqp:not-found',
      description: `The messaging entity '${address}' could not be found. Declare it in the broker config.`,
    });
  }
}
