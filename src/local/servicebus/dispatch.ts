import { randomBytes } from 'node:crypto';
import type rhea from 'rhea';
import type { MessageStore } from './entities';
import { receivingAddress, settlesOnSend, type Links } from './links';
import type { Locks } from './locks';
import type { BrokerState } from './state';
import { wireMessage } from './wireMessage';

/** Hands available messages to the clients receiving from their store, as far as each link's credit goes. */
export class Dispatcher {
  constructor(
    private readonly state: BrokerState,
    private readonly links: Links,
    private readonly locks: Locks,
  ) {}

  /** Feeds every receiver of a store (after a send, an abandon, an expiry). */
  pumpStore(store: MessageStore): void {
    this.links.senders().forEach((sender) => {
      if (this.state.storeFor(receivingAddress(sender)) === store) this.pump(sender);
    });
  }

  /** Feeds one receiver until its credit or the store runs out. */
  pump(sender: rhea.Sender): void {
    const store = this.state.storeFor(receivingAddress(sender));
    if (!store || !sender.is_open()) return;
    const peekLock = !settlesOnSend(sender);
    let removed = false;
    while (sender.sendable() && store.available.length > 0) {
      const stored = store.available.shift()!;
      if (peekLock) {
        this.locks.sendLocked(sender, store, stored);
      } else {
        sender.send(wireMessage(stored) as rhea.Message, randomBytes(16));
        removed = true;
      }
    }
    if (removed) this.state.persist(); // receive-and-delete: gone once sent
  }
}
