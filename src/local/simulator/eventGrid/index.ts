import type { VirtualClock } from '../../clock';
import { json, type SimRequest, type SimResponse } from '../http';
import type { World } from '../world';
import { armResourceExists, armWriteEvent } from './armEvents';
import { EventGridDelivery, EventSubscriptionError, type EventSubscriptionInput } from './delivery';

export { RESOURCE_DELETE_SUCCESS, RESOURCE_WRITE_SUCCESS, type EventGridEvent } from './armEvents';
export type { DeliveryAttempt, EventSubscription, EventSubscriptionInput } from './delivery';

/**
 * The Event Grid system topics of the simulated subscriptions: every successful ARM write or delete
 * becomes a Microsoft.Resources event delivered to the webhook subscriptions registered through
 * `/_sim/eventSubscriptions`. Subscriptions live in memory: like Azure's, they are created again
 * (after the handshake) when the app's host comes up.
 */
export class SimulatedEventGrid {
  readonly delivery: EventGridDelivery;

  constructor(
    private readonly world: World,
    clock: VirtualClock,
  ) {
    this.delivery = new EventGridDelivery(clock);
  }

  subscribe(input: EventSubscriptionInput) {
    return this.delivery.subscribe(input);
  }

  /** Called with every ARM answer; raises the event when the answer is a successful write. */
  /** Asked before ARM serves the request: a PUT over an existing resource is an update. */
  existedBefore(request: SimRequest): boolean {
    return (
      request.method === 'PUT' && armResourceExists(request, (id) => this.world.resource(id) !== undefined)
    );
  }

  armAnswered(request: SimRequest, status: number, principal: string, existedBefore: boolean): void {
    const subscriptionId = request.segments[1]?.toLowerCase() ?? '';
    const tenantId = this.world.state.subscriptions[subscriptionId]?.tenantId ?? '';
    const event = armWriteEvent(request, status, {
      tenantId,
      principal,
      simTime: this.world.clock.now().toISOString(),
      existedBefore,
    });
    if (event) this.delivery.publish(event);
  }

  /** `/_sim/eventSubscriptions` and `/_sim/eventDeliveries`; undefined for other control routes. */
  async serveControl(request: SimRequest): Promise<SimResponse | undefined> {
    const [, what, name] = request.segments;
    if (what === 'eventDeliveries' && request.method === 'GET')
      return json(200, { deliveries: this.delivery.attempts });
    if (what !== 'eventSubscriptions') return undefined;
    if (request.method === 'GET') return json(200, { value: this.delivery.list() });
    if (request.method === 'DELETE' && name) return json(this.delivery.unsubscribe(name) ? 200 : 204);
    if (request.method === 'POST' || request.method === 'PUT') {
      try {
        const body = { ...(request.body as EventSubscriptionInput), ...(name ? { name } : {}) };
        return json(201, await this.subscribe(body));
      } catch (error) {
        if (error instanceof EventSubscriptionError)
          return json(error.status, { error: { code: error.code, message: error.message } });
        throw error;
      }
    }
    return undefined;
  }
}
