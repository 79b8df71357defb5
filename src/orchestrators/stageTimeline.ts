import type { StageMark } from '../domain/status';

/**
 * Marks kept per run. A region that retries replication for days alternates stages many times; its
 * status must still fit the 16 KB custom status limit, so only the first mark (when the run began)
 * and the latest ones stay.
 */
export const TIMELINE_LIMIT = 16;

/**
 * Adds a mark when the run's stage differs from the last one marked. `at` is orchestration time
 * (`currentUtcDateTime`), so replays rebuild the same timeline.
 */
export function markStage(state: { stage: string; timeline?: StageMark[] }, at: string): void {
  const timeline = (state.timeline ??= []);
  if (timeline.at(-1)?.stage === state.stage) return;
  timeline.push({ stage: state.stage, at });
  if (timeline.length > TIMELINE_LIMIT) timeline.splice(1, timeline.length - TIMELINE_LIMIT);
}
