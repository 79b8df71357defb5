import { z } from 'zod';
import type { TimingOverrides } from './model';

/**
 * Timings per region, as `bif simulate --timings FILE` reads them (schemas/timings.schema.json) and as
 * the learned history is summed up: replication minutes (after the source is captured) and the pool
 * allocation rate. A region left out keeps the built-in model's figures.
 */
export const timingProfileSchema = z
  .object({
    regions: z.record(
      z.string().regex(/^[a-z0-9]+$/, 'a region name in lower case without spaces, e.g. westeurope'),
      z
        .object({
          replicationMinutes: z
            .number()
            .positive()
            .max(7 * 24 * 60)
            .optional()
            .describe('Minutes one region takes to replicate once the source is captured.'),
          nodesPerMinute: z
            .number()
            .positive()
            .max(100_000)
            .optional()
            .describe('Nodes a pool gains per minute once its VMs boot.'),
        })
        .strict(),
    ),
  })
  .strict();

export type TimingProfile = z.infer<typeof timingProfileSchema>;

/** The profile as the simulator's per-region overrides. */
export function overridesOf(profile: TimingProfile): TimingOverrides {
  const overrides: Required<TimingOverrides> = { replicationMinutes: {}, nodesPerMinute: {} };
  for (const [region, figures] of Object.entries(profile.regions)) {
    if (figures.replicationMinutes !== undefined)
      overrides.replicationMinutes[region] = figures.replicationMinutes;
    if (figures.nodesPerMinute !== undefined) overrides.nodesPerMinute[region] = figures.nodesPerMinute;
  }
  return overrides;
}

/** A small seeded generator (mulberry32): the same seed gives the same noise on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The profile with every figure scaled by its own factor drawn uniformly from [1 − noise, 1 + noise]:
 * "reality" differing from a prediction by a known amount. Regions are visited in name order, so the
 * noise does not depend on how the file was written.
 */
export function perturbProfile(profile: TimingProfile, seed: number, noise: number): TimingProfile {
  const random = seededRandom(seed);
  const factor = () => 1 + noise * (2 * random() - 1);
  const regions: TimingProfile['regions'] = {};
  for (const region of Object.keys(profile.regions).sort()) {
    const { replicationMinutes, nodesPerMinute } = profile.regions[region]!;
    const r = factor();
    const n = factor();
    regions[region] = {
      ...(replicationMinutes !== undefined
        ? { replicationMinutes: +(replicationMinutes * r).toFixed(2) }
        : {}),
      ...(nodesPerMinute !== undefined ? { nodesPerMinute: +(nodesPerMinute * n).toFixed(2) } : {}),
    };
  }
  return { regions };
}
