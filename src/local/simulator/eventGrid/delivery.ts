import { randomUUID } from 'node:crypto';
import type { VirtualClock } from '../../clock';
import type { EventGridEvent } from './armEvents';

/** What `POST /_sim/eventSubscriptions` takes: a webhook subscription on a system topic. */
export interface EventSubscriptionInput {
  name?: string;
  endpoint: string;
  /** `/subscriptions/{id}` (subscription topic) or `/subscriptions/{id}/resourceGroups/{rg}`; default: every subscription. */
  topic?: string;
  includedEventTypes?: string[];
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  /** Event Grid advanced filters; `StringIn` and `StringBeginsWith` on a dotted key (e.g. `data.operationName`). */
  advancedFilters?: AdvancedFilter[];
  /** Event Grid's retry policy: 1–30 attempts (default 30) within an event time-to-live of 1–1440 minutes (default 1440). */
  maxDeliveryAttempts?: number;
  eventTimeToLiveInMinutes?: number;
  /** Deliver every event this many times: Event Grid is at-least-once, and tests need the duplicates. */
  copies?: number;
}

interface AdvancedFilter {
  operatorType: 'StringIn' | 'StringBeginsWith';
  key: string;
  values: string[];
}

export interface EventSubscription extends Required<
  Omit<
    EventSubscriptionInput,
    'topic' | 'subjectBeginsWith' | 'subjectEndsWith' | 'includedEventTypes' | 'advancedFilters'
  >
> {
  advancedFilters: AdvancedFilter[];
  topic?: string;
  includedEventTypes?: string[];
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
}

export interface DeliveryAttempt {
  subscription: string;
  eventId: string;
  eventType: string;
  subject: string;
  /** `data.httpRequest.method` when the event has one (updates and deletes). */
  httpMethod?: string;
  attempt: number;
  /** HTTP status, 0 when the endpoint could not be reached. */
  status: number;
  outcome: 'delivered' | 'retrying' | 'dropped';
  simTime: string;
}

export class EventSubscriptionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Azure's retry schedule after a failed delivery (learn.microsoft.com/azure/event-grid/delivery-and-retry):
 * 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h until the time-to-live ends.
 */
const RETRY_DELAYS_MS = [10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3];
const EVERY_12_HOURS = 12 * 3600e3;
/** Webhook answers Event Grid does not retry (no dead-letter destination here: the event is dropped). */
const NOT_RETRIED = new Set([400, 401, 403, 413]);
/** Event Grid waits 30 s for an answer before it counts the attempt as failed. */
const RESPONSE_TIMEOUT_MS = 30_000;

/**
 * Event Grid's push delivery to webhook subscriptions: the validation handshake when a subscription
 * is created, filters, one event per delivery (an array of one), retries on the virtual clock.
 */
export class EventGridDelivery {
  private readonly subscriptions = new Map<string, EventSubscription>();
  private readonly pending = new Set<Promise<void>>();
  private readonly cancels = new Set<() => void>();
  readonly attempts: DeliveryAttempt[] = [];
  private stopped = false;

  constructor(private readonly clock: VirtualClock) {}

  list(): EventSubscription[] {
    return [...this.subscriptions.values()];
  }

  /** Creates (or replaces) a subscription once its endpoint has answered the validation handshake, as Azure does. */
  async subscribe(input: EventSubscriptionInput): Promise<EventSubscription> {
    const subscription = validated(input);
    const validationCode = randomUUID();
    const handshake: EventGridEvent = {
      id: randomUUID(),
      topic: subscription.topic ?? '',
      subject: '',
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      eventTime: this.clock.now().toISOString(),
      data: { validationCode, validationUrl: '' },
      dataVersion: '2',
      metadataVersion: '1',
    };
    let answer: { status: number; text: string };
    try {
      answer = await post(subscription, [handshake], 'SubscriptionValidation', 0);
    } catch (error) {
      throw handshakeFailed(
        subscription.endpoint,
        `the endpoint could not be reached (${(error as Error).message})`,
      );
    }
    let response: unknown;
    try {
      response = JSON.parse(answer.text);
    } catch {
      response = undefined;
    }
    if (answer.status < 200 || answer.status >= 300)
      throw handshakeFailed(
        subscription.endpoint,
        `Http POST request failed with response code ${answer.status}`,
      );
    if ((response as { validationResponse?: unknown } | undefined)?.validationResponse !== validationCode)
      throw handshakeFailed(
        subscription.endpoint,
        `the response did not echo the validationCode as validationResponse`,
      );
    this.subscriptions.set(subscription.name.toLowerCase(), subscription);
    return subscription;
  }

  unsubscribe(name: string): boolean {
    return this.subscriptions.delete(name.toLowerCase());
  }

  /** Hands an event to every matching subscription; delivery happens in the background. */
  publish(event: EventGridEvent): void {
    for (const subscription of this.subscriptions.values()) {
      if (!matches(subscription, event)) continue;
      const delivered = { ...event, topic: subscription.topic ?? event.topic };
      for (let copy = 0; copy < subscription.copies; copy++) this.attempt(subscription, delivered, 1);
    }
  }

  /** Resolves when no delivery is in flight or waiting for a retry (for tests and orderly stops). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }

  private attempt(subscription: EventSubscription, event: EventGridEvent, attempt: number): void {
    if (this.stopped) return;
    // The POST is work the host's engine cannot see until the webhook has handled it: a gated clock
    // stands still until it is answered, or it could jump past the event it carries (a no-op when free).
    const release = this.clock.hold();
    const run = (async () => {
      let status = 0;
      try {
        status = (await post(subscription, [event], 'Notification', attempt - 1)).status;
      } catch {
        status = 0;
      } finally {
        release();
      }
      const record = (outcome: DeliveryAttempt['outcome']): void => {
        this.attempts.push({
          subscription: subscription.name,
          eventId: event.id,
          eventType: event.eventType,
          subject: event.subject,
          httpMethod: (event.data.httpRequest as { method?: string } | undefined)?.method,
          attempt,
          status,
          outcome,
          simTime: this.clock.now().toISOString(),
        });
      };
      if (status >= 200 && status < 300) return record('delivered');
      const delay = RETRY_DELAYS_MS[attempt - 1] ?? EVERY_12_HOURS;
      const expires = Date.parse(event.eventTime) + subscription.eventTimeToLiveInMinutes * 60_000;
      const next = this.clock.nowMs() + delay;
      if (NOT_RETRIED.has(status) || attempt >= subscription.maxDeliveryAttempts || next > expires)
        return record('dropped');
      record('retrying');
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        const cancelTimer = this.clock.at(next, () => {
          this.cancels.delete(cancel);
          this.attempt(subscription, event, attempt + 1);
          resolve();
        });
        const cancel = () => {
          cancelTimer();
          resolve();
        };
        this.cancels.add(cancel);
      });
    })();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }
}

function validated(input: EventSubscriptionInput): EventSubscription {
  const bad = (field: string, fix: string) =>
    new EventSubscriptionError(400, 'InvalidRequest', `eventSubscription.${field}: ${fix}`);
  if (!input || typeof input.endpoint !== 'string')
    throw bad('endpoint', 'give the webhook URL (https://… or http://127.0.0.1:…)');
  let url: URL;
  try {
    url = new URL(input.endpoint);
  } catch {
    throw bad('endpoint', `"${input.endpoint}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost')
    throw bad(
      'endpoint',
      'Event Grid delivers to https webhooks only (plain http is accepted for 127.0.0.1)',
    );
  const attempts = input.maxDeliveryAttempts ?? 30;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 30)
    throw bad('maxDeliveryAttempts', 'an integer from 1 to 30 (Event Grid default 30)');
  const ttl = input.eventTimeToLiveInMinutes ?? 1440;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 1440)
    throw bad('eventTimeToLiveInMinutes', 'an integer from 1 to 1440 (Event Grid default 1440)');
  const copies = input.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > 10) throw bad('copies', 'an integer from 1 to 10');
  if (input.topic !== undefined && !/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?$/i.test(input.topic))
    throw bad(
      'topic',
      'a subscription (/subscriptions/{id}) or resource group (/subscriptions/{id}/resourceGroups/{name}) id',
    );
  return {
    name: input.name ?? `sub-${randomUUID().slice(0, 8)}`,
    endpoint: input.endpoint,
    topic: input.topic,
    includedEventTypes: input.includedEventTypes,
    subjectBeginsWith: input.subjectBeginsWith,
    subjectEndsWith: input.subjectEndsWith,
    advancedFilters: advancedFilters(input.advancedFilters, bad),
    maxDeliveryAttempts: attempts,
    eventTimeToLiveInMinutes: ttl,
    copies,
  };
}

/** Event Grid's filters; subject filters compare case-insensitively (its default). */
function matches(subscription: EventSubscription, event: EventGridEvent): boolean {
  const subject = event.subject.toLowerCase();
  if (subscription.topic && !subject.startsWith(`${subscription.topic.toLowerCase()}/`)) return false;
  if (subscription.includedEventTypes && !subscription.includedEventTypes.includes(event.eventType))
    return false;
  if (subscription.subjectBeginsWith && !subject.startsWith(subscription.subjectBeginsWith.toLowerCase()))
    return false;
  if (subscription.subjectEndsWith && !subject.endsWith(subscription.subjectEndsWith.toLowerCase()))
    return false;
  return subscription.advancedFilters.every((filter) => {
    const value = filter.key
      .split('.')
      .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], event);
    if (typeof value !== 'string') return false;
    const text = value.toLowerCase();
    return filter.operatorType === 'StringIn'
      ? filter.values.some((v) => v.toLowerCase() === text)
      : filter.values.some((v) => text.startsWith(v.toLowerCase()));
  });
}

function advancedFilters(
  filters: AdvancedFilter[] | undefined,
  bad: (field: string, fix: string) => EventSubscriptionError,
): AdvancedFilter[] {
  if (filters === undefined) return [];
  if (!Array.isArray(filters)) throw bad('advancedFilters', 'a list of {operatorType, key, values}');
  filters.forEach((f, i) => {
    if (f?.operatorType !== 'StringIn' && f?.operatorType !== 'StringBeginsWith')
      throw bad(
        `advancedFilters[${i}].operatorType`,
        'StringIn or StringBeginsWith (the others are not simulated)',
      );
    if (typeof f.key !== 'string' || !Array.isArray(f.values))
      throw bad(`advancedFilters[${i}]`, 'give a key (e.g. data.operationName) and a list of values');
  });
  return filters;
}

async function post(
  subscription: EventSubscription,
  events: EventGridEvent[],
  kind: 'SubscriptionValidation' | 'Notification',
  deliveryCount: number,
): Promise<{ status: number; text: string }> {
  const response = await fetch(subscription.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'aeg-event-type': kind,
      'aeg-subscription-name': subscription.name.toUpperCase(),
      'aeg-delivery-count': String(deliveryCount),
      'aeg-data-version': events[0]?.dataVersion ?? '',
      'aeg-metadata-version': '1',
    },
    body: JSON.stringify(events),
    signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

function handshakeFailed(endpoint: string, why: string): EventSubscriptionError {
  return new EventSubscriptionError(
    400,
    'InvalidRequest',
    `Webhook validation handshake failed for ${endpoint}: ${why}. Create the subscription once the function app serves the endpoint (see https://aka.ms/esvalidation).`,
  );
}
