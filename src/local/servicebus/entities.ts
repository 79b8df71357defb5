/**
 * The in-memory entities of the local Service Bus broker: queues, topics and their subscriptions, each
 * with a dead-letter sub-queue. Messages are kept as decoded rhea messages plus broker bookkeeping.
 */
export interface BrokerConfig {
  queues?: {
    name: string;
    maxDeliveryCount?: number;
    lockDurationSeconds?: number;
    duplicateDetection?: boolean;
  }[];
  topics?: {
    name: string;
    subscriptions: (string | { name: string; maxDeliveryCount?: number })[];
    duplicateDetection?: boolean;
  }[];
}

export interface StoredMessage {
  sequenceNumber: number;
  enqueuedAt: Date;
  deliveryCount: number;
  /** The message as the sender encoded it (decoded by rhea), without broker annotations. */
  message: Record<string, any>;
  lock?: { token: string; until: Date };
  deadLetter?: { reason?: string; description?: string };
}

/** One place messages wait: a queue, a subscription, or the dead-letter queue of either. */
export class MessageStore {
  readonly available: StoredMessage[] = [];
  readonly locked = new Map<string, StoredMessage>();
  deadLetters?: MessageStore;

  constructor(
    readonly path: string,
    readonly maxDeliveryCount: number,
    readonly lockDurationMs: number,
  ) {}

  /** Every message still here, for peek: available and locked, in sequence order. */
  all(): StoredMessage[] {
    return [...this.available, ...this.locked.values()].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  }
}

/** A send target: a queue delivers to itself, a topic to each of its subscriptions. */
export interface Entity {
  duplicateDetection: boolean;
  /** Message ids seen recently, for duplicate detection (10-minute window, like the Azure default). */
  seen: Map<string, number>;
  stores: MessageStore[];
}

export const DUPLICATE_WINDOW_MS = 10 * 60_000;
const DEFAULT_LOCK_MS = 60_000;
const DEFAULT_MAX_DELIVERY = 10;

export function buildEntities(config: BrokerConfig): {
  entities: Map<string, Entity>;
  stores: Map<string, MessageStore>;
} {
  const entities = new Map<string, Entity>();
  const stores = new Map<string, MessageStore>();
  const addStore = (path: string, maxDeliveryCount?: number, lockSeconds?: number) => {
    const store = new MessageStore(
      path,
      maxDeliveryCount ?? DEFAULT_MAX_DELIVERY,
      lockSeconds ? lockSeconds * 1000 : DEFAULT_LOCK_MS,
    );
    store.deadLetters = new MessageStore(
      `${path}/$DeadLetterQueue`,
      Number.MAX_SAFE_INTEGER,
      store.lockDurationMs,
    );
    stores.set(store.path.toLowerCase(), store);
    stores.set(store.deadLetters.path.toLowerCase(), store.deadLetters);
    return store;
  };
  for (const q of config.queues ?? []) {
    entities.set(q.name.toLowerCase(), {
      duplicateDetection: q.duplicateDetection ?? false,
      seen: new Map(),
      stores: [addStore(q.name, q.maxDeliveryCount, q.lockDurationSeconds)],
    });
  }
  for (const t of config.topics ?? []) {
    entities.set(t.name.toLowerCase(), {
      duplicateDetection: t.duplicateDetection ?? true,
      seen: new Map(),
      stores: t.subscriptions.map((s) => {
        const sub = typeof s === 'string' ? { name: s } : s;
        return addStore(`${t.name}/Subscriptions/${sub.name}`, sub.maxDeliveryCount);
      }),
    });
  }
  return { entities, stores };
}
