import { z } from 'zod';
import { parseResourceId, isOfType, RESOURCE_TYPES, type ResourceKind } from './resourceId';
import { VERSION_PATTERN } from './version';
import { normalizeRegion, REGION_PATTERN } from './region';
import { capacityCutoverSchema } from './cutover/cutoverRequest';
import { wavesSchema } from './cutover/waves';
import { healthSchema } from './cutover/healthGate';
import { poolCheckFields, requestCheckFields } from './cutover/poolChecks';

/**
 * The build request: the body of a queue message or `POST /api/builds`. Its JSON Schema is exported to
 * `schemas/build-request.schema.json` (npm run schemas) so other teams can validate what they send.
 */

/** A resource id of one kind. Failures carry `params.code` so they become RESOURCE_ID_* findings. */
export function resourceIdOf(kind: ResourceKind) {
  const expected = RESOURCE_TYPES[kind];
  return z
    .string()
    .describe(`Azure resource id of a ${expected}`)
    .superRefine((value, ctx) => {
      const parsed = parseResourceId(value);
      if (!parsed.ok) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `not a valid Azure resource id: ${parsed.reason}. Expected /subscriptions/{id}/resourceGroups/{rg}/providers/${expected}/{name}`,
          params: { code: 'RESOURCE_ID_INVALID' },
        });
      } else if (!isOfType(parsed.id, expected)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `must be a ${expected} id, but this one is a ${[parsed.id.provider, ...parsed.id.types].join('/')}`,
          params: { code: 'RESOURCE_ID_WRONG_TYPE' },
        });
      }
    });
}

const region = z
  .string()
  .min(1)
  .transform(normalizeRegion)
  .refine((r) => REGION_PATTERN.test(r), { message: 'must be an Azure region name such as "westeurope"' });

// Gallery image definition names: letters, digits, dots, dashes, underscores; up to 80, alphanumeric at the ends.
const galleryImageName = z.string().regex(/^[A-Za-z0-9]([-._A-Za-z0-9]{0,78}[A-Za-z0-9])?$/, {
  message:
    'must be 1-80 letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit',
});

export const OS_TYPES = ['Linux', 'Windows'] as const;
export const STORAGE_ACCOUNT_TYPES = ['Standard_LRS', 'Standard_ZRS', 'Premium_LRS'] as const;

const isoDuration = z.string().describe('ISO-8601 duration, e.g. PT45M');

export const virtualMachineSource = z
  .object({ type: z.literal('virtualMachine'), id: resourceIdOf('virtualMachine') })
  .strict();
export const snapshotsSource = z
  .object({
    type: z.literal('snapshots'),
    osDisk: resourceIdOf('snapshot'),
    dataDisks: z
      .array(z.object({ lun: z.number().int().min(0).max(63), id: resourceIdOf('snapshot') }).strict())
      .default([]),
  })
  .strict();
export const managedImageSource = z
  .object({ type: z.literal('managedImage'), id: resourceIdOf('managedImage') })
  .strict();
/** An image version that already exists: skip the build, roll its pools out. */
export const galleryImageVersionSource = z
  .object({ type: z.literal('galleryImageVersion'), id: resourceIdOf('galleryImageVersion') })
  .strict();

export const sourceSchema = z.discriminatedUnion('type', [
  virtualMachineSource,
  snapshotsSource,
  managedImageSource,
  galleryImageVersionSource,
]);

export const imageSchema = z
  .object({
    galleryId: resourceIdOf('gallery'),
    definition: galleryImageName,
    version: z
      .union([
        z.literal('auto'),
        z.string().regex(VERSION_PATTERN, { message: 'must be "auto" or major.minor.patch, e.g. 1.4.0' }),
      ])
      .default('auto'),
    osType: z.enum(OS_TYPES),
    hyperVGeneration: z.enum(['V1', 'V2']).default('V2'),
    identifier: z
      .object({
        publisher: z.string().min(1).max(128),
        offer: z.string().min(1).max(64),
        sku: z.string().min(1).max(64),
      })
      .strict(),
    description: z.string().max(4096).optional(),
    /** The version's end-of-life date; retention also sets it on versions it retires. */
    endOfLifeDate: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export const replicationSchema = z
  .object({
    storageAccountType: z.enum(STORAGE_ACCOUNT_TYPES).default('Standard_LRS'),
    /** Replicas beyond the 1-per-300-VMs minimum, in percent: more replicas make pool allocation faster. */
    headroomPercent: z.number().int().min(0).max(1000).default(20),
    /** Regions to replicate to without pools there (one replica each). */
    extraRegions: z.array(region).default([]),
    excludeFromLatest: z.boolean().default(false),
  })
  .strict();

export const batchAccountSchema = z
  .object({
    id: resourceIdOf('batchAccount'),
    endpoint: z
      .string()
      .url({ message: 'must be the account URL, e.g. https://myaccount.westeurope.batch.azure.com' }),
    region,
  })
  .strict();

export const startTaskSchema = z
  .object({
    commandLine: z.string().min(1),
    waitForSuccess: z.boolean().default(true),
    maxTaskRetryCount: z.number().int().min(-1).max(100).default(0),
    environmentSettings: z
      .array(z.object({ name: z.string().min(1), value: z.string() }).strict())
      .default([]),
    userIdentity: z
      .object({
        autoUser: z
          .object({
            scope: z.enum(['task', 'pool']).default('pool'),
            elevationLevel: z.enum(['nonadmin', 'admin']).default('nonadmin'),
          })
          .strict(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const poolSchema = z
  .object({
    account: batchAccountSchema,
    poolId: z.string().min(1),
    vmSize: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'must be a VM size such as Standard_D4s_v5' }),
    targetDedicatedNodes: z.number().int().min(0).default(0),
    targetLowPriorityNodes: z.number().int().min(0).default(0),
    nodeAgentSkuId: z.string().min(1),
    taskSlotsPerNode: z.number().int().min(1).max(256).default(1),
    startTask: startTaskSchema.optional(),
    /** Explicit override; still checked against 15 minutes per 1000 nodes. */
    resizeTimeout: isoDuration.optional(),
    /** The pool this one takes over from: drained and deleted once this one is steady. */
    replaces: z.string().min(1).optional(),
    /**
     * Any Batch management API pool properties (Pool.properties, api-version 2023-11-01, plus `identity`):
     * subnet, identity, start task, mounts, containers, task slots, autoscale, tags… Checked against the
     * REST spec at planning; the image, node agent SKU and planned scale stay the pipeline's.
     */
    // The record is copied key by key, which would drop a `__proto__` key silently: name it instead.
    // (Nested ones stay in the values and schemaCheck names them.)
    template: z
      .preprocess((value, ctx) => {
        if (value && typeof value === 'object' && Object.hasOwn(value, '__proto__'))
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['__proto__'],
            message: '"__proto__" is not a Batch pool property; remove it.',
          });
        return value;
      }, z.record(z.unknown()))
      .optional(),
    /** Autoscale pools: the most nodes the formula may ask for (replicas are planned for it). */
    maxNodes: z.number().int().min(1).optional(),
    /** This pool's health gate, over the request's `health` field by field (docs/pools.md). */
    health: healthSchema.optional(),
    ...poolCheckFields,
  })
  .strict();

export const retentionSchema = z
  .object({
    keepVersions: z.number().int().min(1).max(1000).default(3),
    /** Delete the snapshots and managed image made for a build once its version is published. */
    deleteIntermediates: z.boolean().default(true),
  })
  .strict();

/** A build's id: also what the status route accepts, so no other text can alias a build. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const buildRequestSchema = z
  .object({
    requestId: z.string().regex(REQUEST_ID_PATTERN, {
      message: 'must be 1-100 letters, digits, dots, hyphens or underscores, starting with a letter or digit',
    }),
    source: sourceSchema,
    image: imageSchema,
    replication: replicationSchema.default({}),
    pools: z.array(poolSchema).max(100).default([]),
    retention: retentionSchema.default({}),
    cutover: capacityCutoverSchema.optional(),
    waves: wavesSchema,
    /** The health gate every new pool passes before it is ready (docs/pools.md "The health gate"). */
    health: healthSchema.optional(),
    ...requestCheckFields,
  })
  .strict();

export type BuildRequest = z.output<typeof buildRequestSchema>;
export type BuildRequestInput = z.input<typeof buildRequestSchema>;
export type ImageSource = BuildRequest['source'];
export type PoolRequest = BuildRequest['pools'][number];
export type BatchAccountRef = PoolRequest['account'];
export type OsType = (typeof OS_TYPES)[number];
