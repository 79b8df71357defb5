import type { z } from 'zod';
import { jsonErrorOffset } from './jsonErrorOffset';
import { finding, formatPath, type Finding, type FindingCode } from './findings';

/** Result of checking untrusted input against one of our contracts. */
export type Validated<T> = { ok: true; value: T; findings: Finding[] } | { ok: false; findings: Finding[] };

/** Validates with a zod schema and turns every issue into a finding that names the field and the fix. */
export function validateWith<S extends z.ZodTypeAny>(schema: S, input: unknown): Validated<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data, findings: [] };
  return { ok: false, findings: result.error.issues.flatMap(issueToFindings) };
}

function issueToFindings(issue: z.ZodIssue): Finding[] {
  const path = formatPath(issue.path);
  const field = path || 'the request';
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') {
        return [
          finding('FIELD_REQUIRED', path, `${field} is required (${describeExpected(issue.expected)}).`),
        ];
      }
      return [
        finding(
          'FIELD_INVALID',
          path,
          `${field} must be ${describeExpected(issue.expected)}, not ${issue.received}.`,
        ),
      ];
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const keyPath = formatPath([...issue.path, key]);
        const hint = closest(key, KNOWN_FIELD_NAMES);
        return finding(
          'FIELD_UNKNOWN',
          keyPath,
          `${keyPath} is not a known field${hint ? `: did you mean "${hint}"?` : '; remove it.'}`,
        );
      });
    case 'invalid_union_discriminator':
      return [
        finding(
          'FIELD_INVALID',
          path,
          `${field} must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}.`,
        ),
      ];
    case 'invalid_enum_value':
      return [
        finding(
          'FIELD_INVALID',
          path,
          `${field} is ${JSON.stringify(issue.received)}; use one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}.`,
        ),
      ];
    case 'custom': {
      const code = (issue.params?.code as FindingCode | undefined) ?? 'FIELD_INVALID';
      return [finding(code, path, `${field} ${issue.message}`)];
    }
    case 'too_small':
    case 'too_big':
    case 'invalid_string':
    default:
      return [
        finding('FIELD_INVALID', path, `${field}: ${lowerFirst(issue.message)}.`.replace(/\.\.$/, '.')),
      ];
  }
}

function describeExpected(expected: string): string {
  return expected === 'object' ? 'an object' : expected === 'array' ? 'an array' : `a ${expected}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Every field name of our contracts, for "did you mean" hints. Kept as one flat list: a typo is
 * almost always of a name that exists somewhere in the request.
 */
const KNOWN_FIELD_NAMES = [
  'requestId',
  'source',
  'type',
  'id',
  'osDisk',
  'dataDisks',
  'lun',
  'image',
  'galleryId',
  'definition',
  'version',
  'osType',
  'hyperVGeneration',
  'identifier',
  'publisher',
  'offer',
  'sku',
  'description',
  'endOfLifeDate',
  'replication',
  'storageAccountType',
  'headroomPercent',
  'extraRegions',
  'excludeFromLatest',
  'pools',
  'account',
  'endpoint',
  'region',
  'poolId',
  'vmSize',
  'targetDedicatedNodes',
  'targetLowPriorityNodes',
  'nodeAgentSkuId',
  'taskSlotsPerNode',
  'startTask',
  'commandLine',
  'waitForSuccess',
  'maxTaskRetryCount',
  'environmentSettings',
  'name',
  'value',
  'userIdentity',
  'autoUser',
  'scope',
  'elevationLevel',
  'resizeTimeout',
  'replaces',
  'retention',
  'keepVersions',
  'deleteIntermediates',
  'images',
  'followers',
  'poolIdTemplate',
  'refresh',
  'every',
  'settings',
  ...['waves', 'regions', 'soakMinutes', 'approval', 'approvalTimeoutMinutes'],
];

/** The nearest known name within a small edit distance, else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 4)) && (!best || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Parses JSON text; a syntax error becomes a finding with the line and column. */
export function parseJsonText(raw: string): { ok: true; value: unknown } | { ok: false; finding: Finding } {
  // A UTF-8 byte order mark (editors on Windows write one) is not JSON, but RFC 8259 §8.1 lets a parser
  // ignore it: do, rather than report an invisible "unexpected token".
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const offset = jsonErrorOffset(text);
    let where = '';
    if (offset >= 0) {
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column} (offset ${offset})`;
    }
    return {
      ok: false,
      finding: finding(
        'REQUEST_NOT_JSON',
        '',
        `The request is not valid JSON${where}: ${message}. Fix the syntax and send it again.`,
      ),
    };
  }
}
