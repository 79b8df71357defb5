import { z } from 'zod';
import {
  batchAccountSchema,
  imageSchema,
  poolSchema,
  replicationSchema,
  retentionSchema,
  sourceSchema,
} from './buildRequest';
import { parseDurationMs } from './duration';

/**
 * The factory config: standing desired state, used where no request arrives — the refresh timer and
 * Event Grid rollouts. Each watched image definition names its followers (the pools that move to
 * every new version of it), an optional refresh recipe and its retention.
 */

const VERSION_TOKEN = '{version}';

const followerPoolSchema = poolSchema
  .omit({ poolId: true, replaces: true })
  .extend({
    /** `render-{version}` → `render-1-4-0`: each version gets a new pool (a pool's image cannot change in place). */
    poolIdTemplate: z.string().refine((t) => t.includes(VERSION_TOKEN), {
      message: `must contain ${VERSION_TOKEN}: every version needs a pool of its own, e.g. "render-${VERSION_TOKEN}"`,
    }),
    account: batchAccountSchema,
  })
  .strict();

const refreshRecipeSchema = z
  .object({
    /** Rebuild when the newest version is older than this (ISO-8601 duration, e.g. P7D). */
    every: z
      .string()
      .refine((d) => (parseDurationMs(d) ?? 0) > 0, { message: 'must be an ISO-8601 duration such as P7D' }),
    /** What to build from; usually the build VM that a separate job patches and generalizes. */
    source: sourceSchema,
    replication: replicationSchema.default({}),
  })
  .strict();

const watchedImageSchema = z
  .object({
    image: imageSchema.omit({ version: true }),
    followers: z.array(followerPoolSchema).default([]),
    refresh: refreshRecipeSchema.optional(),
    retention: retentionSchema.default({}),
  })
  .strict();

export const factoryConfigSchema = z
  .object({
    images: z.array(watchedImageSchema).default([]),
  })
  .strict();

export type FactoryConfig = z.output<typeof factoryConfigSchema>;
export type WatchedImage = FactoryConfig['images'][number];

/** Pool id for a version: dots become hyphens because Batch pool ids cannot contain dots. */
export function poolIdForVersion(template: string, version: string): string {
  return template.split(VERSION_TOKEN).join(version.replace(/\./g, '-'));
}

/** Refresh is due when there is no version yet, or the newest is at least `every` old. */
export function isRefreshDue(every: string, newestPublishedAt: Date | undefined, now: Date): boolean {
  if (!newestPublishedAt) return true;
  return now.getTime() - newestPublishedAt.getTime() >= (parseDurationMs(every) ?? Infinity);
}

/** Image definition id (gallery id + /images/name), the key followers and events use. */
export function imageDefinitionId(image: { galleryId: string; definition: string }): string {
  return `${image.galleryId.replace(/\/+$/, '')}/images/${image.definition}`;
}
