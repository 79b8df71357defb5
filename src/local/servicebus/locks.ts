import { randomBytes } from 'node:crypto';
import rhea from 'rhea';
import type { MessageStore, StoredMessage } from './entities';
import type { BrokerState } from './state';
import { wireMessage } from './wireMessage';

export type Outcome = 'complete' | 'abandon' | 'deadletter';
type DeadLetter = NonNullable<StoredMessage['deadLetter']>;

const LOCK_SWEEP_MS = 500;

/**
 * Peek-lock: the locks on messages handed out, their settlement (complete, abandon, dead-letter), renewal,
 * and expiry. An abandoned or expired message counts a delivery and goes back, or to the dead-letter queue
 * once it reaches the store's max delivery count.
 */
export class Locks {
  private readonly deliveries = new WeakMap<object, { store: MessageStore; stored: StoredMessage }>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly state: BrokerState,
    /** Called when a store has messages available again, to hand them to its receivers. */
    private readonly wake: (store: MessageStore) => void,
  ) {}

  /** Sends a message on a peek-lock link and locks it for the store's lock duration. */
  sendLocked(sender: rhea.Sender, store: MessageStore, stored: StoredMessage): void {
    const tag = randomBytes(16);
    const until = new Date(Date.now() + store.lockDurationMs);
    const delivery = sender.send(wireMessage(stored, until) as rhea.Message, tag);
    stored.lock = { token: tag.toString('hex'), until };
    store.locked.set(stored.lock.token, stored);
    this.deliveries.set(delivery, { store, stored });
  }

  /** The client settled a delivery on its receiving link. */
  settle(delivery: rhea.Delivery, outcome: Outcome, deadLetter?: StoredMessage['deadLetter']): void {
    const entry = this.deliveries.get(delivery);
    if (entry && this.applyOutcome(entry.store, entry.stored, outcome, deadLetter)) this.state.persist();
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

  /** Releases a lock with an outcome; false when the message holds no such lock any more. */
  applyOutcome(
    store: MessageStore,
    stored: StoredMessage,
    outcome: Outcome,
    deadLetter?: StoredMessage['deadLetter'],
  ): boolean {
    if (!stored.lock || !store.locked.delete(stored.lock.token)) return false;
    stored.lock = undefined;
    if (outcome === 'deadletter') this.moveToDeadLetter(store, stored, deadLetter ?? {});
    else if (outcome === 'abandon') this.requeue(store, stored);
    return true;
  }

  /** Extends the locks a client holds; undefined for a token whose lock is gone. */
  renew(store: MessageStore, tokens: Buffer[]): (Date | undefined)[] {
    return tokens.map((token) => {
      const stored = this.findLocked(store, token);
      if (!stored?.lock) return undefined;
      stored.lock.until = new Date(Date.now() + store.lockDurationMs);
      return stored.lock.until;
    });
  }

  /** Lock tokens come back in .NET GUID byte order; the tag we sent is the same bytes reordered. */
  findLocked(store: MessageStore, token: Buffer): StoredMessage | undefined {
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

  /** Locks that expire return their message, like Service Bus, counting a failed delivery. */
  startExpiring(): void {
    this.sweeper = setInterval(() => this.expire(Date.now()), LOCK_SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private expire(now: number): void {
    let expired = false;
    for (const store of this.state.allStores()) {
      for (const stored of [...store.locked.values()]) {
        if (stored.lock && stored.lock.until.getTime() <= now) {
          store.locked.delete(stored.lock.token);
          stored.lock = undefined;
          this.requeue(store, stored);
          expired = true;
        }
      }
    }
    if (expired) this.state.persist();
  }

  private requeue(store: MessageStore, stored: StoredMessage): void {
    stored.deliveryCount += 1;
    if (stored.deliveryCount >= store.maxDeliveryCount) {
      this.moveToDeadLetter(store, stored, {
        reason: 'MaxDeliveryCountExceeded',
        description: `Message could not be consumed after ${store.maxDeliveryCount} delivery attempts.`,
      });
      return;
    }
    store.available.push(stored);
    store.available.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    this.wake(store);
  }

  private moveToDeadLetter(store: MessageStore, stored: StoredMessage, deadLetter: DeadLetter): void {
    if (!store.deadLetters) return;
    store.deadLetters.available.push({ ...stored, lock: undefined, deadLetter });
    this.wake(store.deadLetters);
  }
}
