/**
 * A clock the host can stop while it runs work the durable engine cannot see (VirtualClock.hold): a
 * trigger's function body, an HTTP request on its way to the engine. On a gated 'jump-when-idle'
 * clock that work would otherwise let simulated time jump past what it is about to do (raise an event,
 * start an orchestration). A clock without `hold` (real time, an engine-only test clock) is never held.
 */
export interface HoldableClock {
  hold?(): () => void;
}

export type HoldClock = () => () => void;

const NOT_HELD: HoldClock = () => () => undefined;

/** The host's one way to hold its clock: a no-op for a clock that cannot be held. */
export function holdOf(clock: HoldableClock): HoldClock {
  return clock.hold ? () => clock.hold!() : NOT_HELD;
}

/** Holds the clock now (when there is a hold); returns the release. */
export function holdNow(hold: HoldClock | undefined): () => void {
  return (hold ?? NOT_HELD)();
}

/** Runs `work` with the clock held, released however it ends. */
export async function whileHeld<T>(hold: HoldClock | undefined, work: () => Promise<T>): Promise<T> {
  const release = holdNow(hold);
  try {
    return await work();
  } finally {
    release();
  }
}
