/** Time for activities (orchestrators use context.df.currentUtcDateTime instead). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
