/**
 * Poll pacing from a learned expectation: the first read lands just before the expected completion (one read
 * instead of a backoff's many), then reads stay tight around it — never looser than the built-in
 * pacing, and at most a twentieth of the expected duration apart — so a late finish is seen soon.
 * Without an expectation the built-in pacing (backoff, a third of the remaining time) stands.
 */
/**
 * Aim a little early: history was observed through polls, so it runs slow by their lag, and a read
 * that lands after the completion costs the whole gap while one before it costs one more read.
 */
export const AIM = 0.85;

export interface Expectation {
  /** When the work started (ms, orchestration time). */
  startedAt: number;
  /** How long history says it takes. */
  expectedMs: number;
}

export function pacedInterval(
  expectation: Expectation | undefined,
  now: number,
  builtIn: number,
  limits: { pollMinMs: number; longestMs: number },
): number {
  if (!expectation || !(expectation.expectedMs > 0)) return builtIn;
  const remaining = expectation.startedAt + AIM * expectation.expectedMs - now;
  if (remaining >= limits.pollMinMs) return Math.min(remaining, limits.longestMs);
  const tight = Math.max(limits.pollMinMs, Math.round(expectation.expectedMs / 20));
  return Math.min(builtIn, tight);
}

/** Allocation pacing for a region's pools: the expectation counts from when the waiting began. */
export function pacedAllocation(
  input: { expected?: { allocationMs?: number }; settings: { pollMinMs: number; pollMaxMs: number } },
  startedAt: number,
  now: number,
  builtIn: number,
  deadline: number,
): number {
  const expectedMs = input.expected?.allocationMs;
  const expectation = expectedMs ? { startedAt, expectedMs } : undefined;
  const longestMs = Math.max(input.settings.pollMaxMs, deadline - now);
  return pacedInterval(expectation, now, builtIn, { pollMinMs: input.settings.pollMinMs, longestMs });
}
