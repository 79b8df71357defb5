import { z } from 'zod';
import { smokeTestSchema, type SmokeTest } from './smokeTest';

/**
 * The request fields of a safe cutover: `smokeTest` and `migrateJobs` on the request apply to every
 * pool; a pool's own fields override them (`smokeTest: false` turns the request's test off for it).
 */
export const requestCheckFields = {
  smokeTest: smokeTestSchema.optional(),
  /** Move the active jobs of each replaced pool to its successor (job schedules always move). */
  migrateJobs: z.boolean().optional(),
};

export const poolCheckFields = {
  smokeTest: z.union([smokeTestSchema, z.literal(false)]).optional(),
  migrateJobs: z.boolean().optional(),
};

/** What a pool's rollout carries: resolved from the request and the pool. */
export interface PoolChecks {
  smokeTest?: SmokeTest;
  migrateJobs: boolean;
}

export function poolChecks(
  request: { smokeTest?: SmokeTest; migrateJobs?: boolean },
  pool: { smokeTest?: SmokeTest | false; migrateJobs?: boolean },
): { checks: PoolChecks } | Record<string, never> {
  const smokeTest = pool.smokeTest === false ? undefined : (pool.smokeTest ?? request.smokeTest);
  const migrateJobs = pool.migrateJobs ?? request.migrateJobs ?? false;
  if (!smokeTest && !migrateJobs) return {};
  return { checks: { ...(smokeTest ? { smokeTest } : {}), migrateJobs } };
}
