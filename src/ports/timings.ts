import type { TimingObservation } from '../domain/timings/observation';

/**
 * Learned timings: what completed pipelines observed per region. Kept bounded (the newest N per
 * region), so reading a region's history is one small query.
 */
export interface TimingsPort {
  /** Saves observations; the same request and region recorded again replaces its row (at-least-once). */
  record(observations: TimingObservation[]): Promise<void>;
  /** The newest observations of each region, newest first. */
  recent(regions: string[]): Promise<TimingObservation[]>;
}

/** Where no history is configured: nothing is kept, nothing is learned (the built-in model applies). */
export const NO_TIMINGS: TimingsPort = {
  record: async () => undefined,
  recent: async () => [],
};
