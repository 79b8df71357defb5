import type { VirtualClock } from '../clock';
import type { SimResponse } from './http';
import { armError } from './arm/armErrors';
import { TokenBuckets } from './tokenBucket';

/**
 * ARM's subscription throttling in front of the ARM handlers: a token per request from the caller's
 * bucket, a 429 with Retry-After when it is empty, and the remaining count on every answer — the
 * headers ARM sends (x-ms-ratelimit-remaining-subscription-reads / -writes).
 */
export class ArmThrottle {
  private readonly buckets = new TokenBuckets();

  constructor(
    private readonly clock: VirtualClock,
    private readonly enabled: boolean,
  ) {}

  answer(principal: string, kind: 'read' | 'write', serve: () => SimResponse): SimResponse {
    if (!this.enabled) return serve();
    const token = this.buckets.take(principal, kind, this.clock.nowMs());
    if (!token.ok) {
      // Clients read Retry-After as real seconds: scale the simulated wait, but never below 1.
      const seconds = Math.max(1, Math.ceil(token.retryAfterMs / 1000 / this.clock.speed));
      return armError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of '${kind}' requests for subscription actor '${principal}' exceeded. Please try again after '${seconds}' seconds after additional tokens are available.`,
        undefined,
        {
          'Retry-After': String(seconds),
          [`x-ms-ratelimit-remaining-subscription-${kind}s`]: '0',
        },
      );
    }
    const response = serve();
    response.headers = {
      ...(response.headers ?? {}),
      [`x-ms-ratelimit-remaining-subscription-${kind}s`]: String(token.remaining),
    };
    return response;
  }
}
