import type { Services } from './services';
import { NO_TIMINGS } from '../ports/timings';
import { TIMING } from '../domain/timings/model';
import { observationOf, type RegionFacts, type RegionTimeline } from '../domain/timings/observation';
import { expectationsFor, type RegionAsk, type RegionExpectation } from '../domain/timings/learn';

/**
 * Learned timings as activities: what a completed pipeline observed is recorded, what a new one may
 * expect is read at its start. Neither may fail a pipeline: history is a help, never a dependency, so
 * a store that cannot be reached is a warning (logged, and returned for the status) and no history.
 */

export interface RecordTimingsInput {
  requestId: string;
  versionId: string;
  regions: { facts: RegionFacts; timeline: RegionTimeline }[];
}

const warn = (what: string, error: unknown) => {
  const warning = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  console.warn(warning);
  return warning;
};

export async function recordTimings(
  s: Services,
  input: RecordTimingsInput,
): Promise<{ recorded: number; warning?: string }> {
  try {
    const imageSizeGb = await imageSize(s, input.versionId);
    const observations = input.regions.flatMap(
      (r) =>
        observationOf(input.requestId, r.facts, r.timeline, {
          imageSizeGb,
          poolStartupMs: TIMING.poolStartupMs,
        }) ?? [],
    );
    await (s.timings ?? NO_TIMINGS).record(observations);
    return { recorded: observations.length };
  } catch (error) {
    return { recorded: 0, warning: warn('Learned timings were not recorded', error) };
  }
}

/** The size is a help for scaling replication, not worth a failure: unknown when the read fails. */
async function imageSize(s: Services, versionId: string): Promise<number | undefined> {
  try {
    return (await s.gallery.getReplication(versionId)).sizeGb;
  } catch {
    return undefined;
  }
}

export async function expectTimings(
  s: Services,
  input: { asks: RegionAsk[] },
): Promise<{ expectations: Record<string, RegionExpectation>; warning?: string }> {
  try {
    const history = await (s.timings ?? NO_TIMINGS).recent(input.asks.map((a) => a.region));
    return { expectations: expectationsFor(history, input.asks) };
  } catch (error) {
    return { expectations: {}, warning: warn('Learned timings could not be read', error) };
  }
}
