import { z } from 'zod';
import { parseDurationMs } from '../duration';

/**
 * The optional smoke test of a new pool: a Batch job with one or more tasks, run once the pool is ready;
 * the tasks' exit codes decide whether the pool may take over. Field names follow Batch's TaskAddParameter
 * (commandLine, resourceFiles, userIdentity.autoUser, constraints.maxWallClockTime).
 */
const DURATION_FORMAT =
  'an ISO-8601 duration in weeks, days, hours, minutes or seconds such as PT10M or P1D (years and months are not accepted: their length depends on the calendar)';
const isoDuration = z.string().refine((v) => (parseDurationMs(v) ?? 0) > 0, {
  message: `must be a positive ${DURATION_FORMAT}`,
});

/**
 * The pipeline polls the smoke job's tasks at its poll interval (up to a minute apart) and Batch takes
 * tens of seconds to schedule a task on a node: a wait under a minute fails a healthy pool.
 */
const MIN_SMOKE_TIMEOUT_MS = 60_000;
const smokeTimeout = z.string().superRefine((v, ctx) => {
  const ms = parseDurationMs(v);
  if (ms === undefined)
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${v}" is not ${DURATION_FORMAT}` });
  else if (ms < MIN_SMOKE_TIMEOUT_MS)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be at least PT1M: Batch needs tens of seconds to schedule a task and the pipeline polls up to a minute apart`,
    });
});

/**
 * Batch downloads an httpUrl resource file over HTTP or HTTPS only, and `filePath` is relative to the
 * task's working directory and may not break out of it (Batch ResourceFile:
 * https://learn.microsoft.com/rest/api/batchservice/task/add#resourcefile).
 */
const httpUrl = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//i.test(v), {
    message: 'must be an http:// or https:// URL (Batch downloads resource files over HTTP(S) only)',
  });
const filePath = z.string().refine((v) => !/^([\\/]|[A-Za-z]:)/.test(v) && !v.split(/[\\/]/).includes('..'), {
  message:
    'must be a relative path inside the task working directory: not absolute and no ".." segments (e.g. "scripts/check.sh")',
});
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

const resourceFile = z
  .object({
    httpUrl: httpUrl.optional(),
    storageContainerUrl: z.string().url().optional(),
    autoStorageContainerName: z.string().min(1).optional(),
    blobPrefix: z.string().optional(),
    filePath: filePath.optional(),
    fileMode: z.string().optional(),
  })
  .strict()
  .refine(
    (f) => [f.httpUrl, f.storageContainerUrl, f.autoStorageContainerName].filter(Boolean).length === 1,
    {
      message:
        'give exactly one of httpUrl, storageContainerUrl, autoStorageContainerName (Batch ResourceFile)',
    },
  )
  .refine((f) => f.httpUrl === undefined || (f.filePath ?? '') !== '', {
    path: ['filePath'],
    message: 'filePath is required with httpUrl: the name (relative path) the file is saved under',
  });

export const smokeTaskSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, hyphens or underscores' })
      .optional(),
    commandLine: z.string().min(1),
    resourceFiles: z.array(resourceFile).max(100).default([]),
    userIdentity: z
      .object({
        autoUser: z
          .object({
            scope: z.enum(['task', 'pool']).default('task'),
            elevationLevel: z.enum(['nonadmin', 'admin']).default('nonadmin'),
          })
          .strict(),
      })
      .strict()
      .optional(),
    /** Batch ends the task after this long (constraints.maxWallClockTime); it then counts as failed. */
    maxWallClockTime: isoDuration.optional(),
  })
  .strict();

export const smokeTestSchema = z
  .object({
    tasks: z.array(smokeTaskSchema).min(1).max(20),
    /** How long the pipeline waits for every task to complete; past it the pool fails its smoke test. */
    timeout: smokeTimeout.default('PT30M'),
    /** Exit codes that count as success. */
    successExitCodes: z
      .array(
        z
          .number()
          .int()
          .min(INT32.min, { message: 'must be a 32-bit integer (an exit code)' })
          .max(INT32.max, { message: 'must be a 32-bit integer (an exit code)' }),
      )
      .min(1)
      .default([0]),
  })
  .strict()
  .superRefine((test, ctx) => {
    // Batch task ids are case-insensitive within a job: "Check" and "check" collide.
    const ids = test.tasks.map((t, i) => t.id ?? `smoke-${i + 1}`);
    const lower = ids.map((id) => id.toLowerCase());
    ids.forEach((id, i) => {
      const first = lower.indexOf(lower[i]!);
      if (first !== i)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['tasks', i, 'id'],
          message: `task id "${id}" is already used by tasks[${first}] ("${ids[first]}"; Batch task ids ignore letter case): rename one`,
        });
    });
  });

export type SmokeTest = z.output<typeof smokeTestSchema>;

/** A smoke task as the pipeline sends it to Batch (TaskAddParameter, wire casing). */
export interface SmokeTaskAdd {
  id: string;
  commandLine: string;
  resourceFiles?: Record<string, string>[];
  userIdentity?: { autoUser: { scope: 'task' | 'pool'; elevationLevel: 'nonadmin' | 'admin' } };
  constraints?: { maxWallClockTime: string };
}

export function smokeTasks(test: SmokeTest): SmokeTaskAdd[] {
  return test.tasks.map((t, i) => ({
    id: t.id ?? `smoke-${i + 1}`,
    commandLine: t.commandLine,
    ...(t.resourceFiles.length ? { resourceFiles: t.resourceFiles as Record<string, string>[] } : {}),
    ...(t.userIdentity ? { userIdentity: t.userIdentity } : {}),
    ...(t.maxWallClockTime ? { constraints: { maxWallClockTime: t.maxWallClockTime } } : {}),
  }));
}

const MAX_JOB_ID = 64;

/**
 * Deterministic, so a retried or replayed step finds the job the first attempt added. A pool id too
 * long to fit is cut and ended with a hash of the whole (lower-cased: Batch ids are case-insensitive),
 * so two long pool ids that share a prefix never share a smoke job.
 */
export function smokeJobId(poolId: string): string {
  const id = `bif-smoke-${poolId}`;
  if (id.length <= MAX_JOB_ID) return id;
  const hash = fnv1a(poolId.toLowerCase());
  return `${id.slice(0, MAX_JOB_ID - hash.length - 1)}-${hash}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: pure and deterministic (orchestrators call smokeJobId). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** A task as the pipeline reads it back. */
export interface SmokeTaskReading {
  taskId: string;
  state: string;
  exitCode?: number;
  result?: string;
  failure?: string;
}

export type SmokeVerdict = { kind: 'running' } | { kind: 'passed' } | { kind: 'failed'; reason: string };

/** Every task completed with a success exit code: passed; any task completed otherwise: failed. */
export function judgeSmokeTest(tasks: SmokeTaskReading[] | null, test: SmokeTest): SmokeVerdict {
  if (tasks === null)
    return { kind: 'failed', reason: 'the smoke-test job disappeared before its tasks completed' };
  const bad = tasks.filter(
    (t) =>
      t.state === 'completed' && (t.exitCode === undefined || !test.successExitCodes.includes(t.exitCode)),
  );
  if (bad.length > 0) {
    const what = bad
      .map(
        (t) =>
          `${t.taskId} ${t.exitCode !== undefined ? `exited with ${t.exitCode}` : `failed (${t.failure ?? t.result ?? 'no exit code'})`}`,
      )
      .join(', ');
    return {
      kind: 'failed',
      reason: `smoke test failed: ${what} (success exit codes: ${test.successExitCodes.join(', ')})`,
    };
  }
  const done = tasks.length >= test.tasks.length && tasks.every((t) => t.state === 'completed');
  return done ? { kind: 'passed' } : { kind: 'running' };
}
