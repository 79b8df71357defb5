import { buildEntities, type BrokerConfig, type Entity, type MessageStore } from './entities';
import { loadBroker, saveBroker } from './persistence';

/**
 * What the broker holds: its entities and message stores by lower-cased path, the last sequence number
 * handed out, and (with a state file) the copy on disk that survives a restart.
 */
export class BrokerState {
  readonly entities: Map<string, Entity>;
  readonly stores: Map<string, MessageStore>;
  private sequence: number;

  constructor(
    config: BrokerConfig,
    /** Keep messages and duplicate-detection ids in this file across restarts (see persistence.ts). */
    private readonly statePath?: string,
  ) {
    ({ entities: this.entities, stores: this.stores } = buildEntities(config));
    this.sequence = statePath ? loadBroker(statePath, this.entities, this.stores) : 0;
  }

  nextSequenceNumber(): number {
    return ++this.sequence;
  }

  persist(): void {
    if (this.statePath) saveBroker(this.statePath, this.sequence, this.entities, this.stores);
  }

  /** The store a receiver reads: a queue, a subscription, or a dead-letter queue. */
  storeFor(address: string | undefined): MessageStore | undefined {
    return address ? this.stores.get(address.toLowerCase()) : undefined;
  }

  /** The entity a sender writes to: a queue or a topic. */
  entityFor(address: string | undefined): Entity | undefined {
    return address ? this.entities.get(address.toLowerCase()) : undefined;
  }

  /** Each store once (dead-letter queues are their own stores). */
  allStores(): Set<MessageStore> {
    return new Set(this.stores.values());
  }
}
