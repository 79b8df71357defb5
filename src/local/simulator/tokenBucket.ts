/**
 * ARM's throttling model: a token bucket per principal and kind of request. Reads hold 250 and refill
 * 25 per second, writes 200 and 10 per second. Refill follows the simulated clock.
 */
interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

const ARM_BUCKETS = {
  read: { capacity: 250, refillPerSecond: 25 },
  write: { capacity: 200, refillPerSecond: 10 },
} as const satisfies Record<string, BucketSpec>;

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(private readonly specs: Record<'read' | 'write', BucketSpec> = ARM_BUCKETS) {}

  /** Takes a token; answers what is left, or how long until one is free. */
  take(
    principal: string,
    kind: 'read' | 'write',
    nowMs: number,
  ): { ok: true; remaining: number } | { ok: false; retryAfterMs: number } {
    const spec = this.specs[kind];
    const key = `${principal}|${kind}`;
    const bucket = this.buckets.get(key) ?? { tokens: spec.capacity, atMs: nowMs };
    bucket.tokens = Math.min(
      spec.capacity,
      bucket.tokens + ((nowMs - bucket.atMs) / 1000) * spec.refillPerSecond,
    );
    bucket.atMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1)
      return { ok: false, retryAfterMs: ((1 - bucket.tokens) / spec.refillPerSecond) * 1000 };
    bucket.tokens -= 1;
    return { ok: true, remaining: Math.floor(bucket.tokens) };
  }
}
