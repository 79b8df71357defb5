import { finding, type Finding } from '../findings';
import { closest } from '../validation';
import schema from './batchPool.schema.json';

/**
 * Checks a pool template against the Batch management API's pool definitions (api-version 2023-11-01,
 * vendored in batchPool.schema.json with its source): every property must exist with that exact casing,
 * have the spec's JSON type, take one of the spec's enum values (a value that differs only in case is a
 * warning), and not be read-only. Each problem is a
 * finding at its JSON path, so a misspelt `subnetID` names `…networkConfiguration.subnetID` and the fix.
 */

interface Prop {
  type?: string;
  enum?: string[];
  items?: Prop;
  additionalProperties?: Prop;
  $ref?: string;
  readOnly?: boolean;
  format?: string;
}
interface Definition {
  properties: Record<string, Prop>;
  required?: string[];
}

const DEFINITIONS = schema.definitions as unknown as Record<string, Definition>;
export const POOL_TEMPLATE_API_VERSION = '2023-11-01';

/** Pool properties that exist in later management API versions than the one this build speaks. */
const LATER_API: Record<string, string> = {
  upgradePolicy: '2024-02-01',
};

/** Paths (from the template root) the pipeline fills in: not required from the template. */
export type OwnedPaths = ReadonlySet<string>;

export function checkAgainstSpec(template: unknown, at: string, owned: OwnedPaths): Finding[] {
  const findings: Finding[] = [];
  walk(template, { $ref: schema.root }, at, '', owned, findings);
  return findings;
}

function walk(
  value: unknown,
  prop: Prop,
  path: string,
  rel: string,
  owned: OwnedPaths,
  out: Finding[],
): void {
  if (prop.$ref) return walkObject(value, prop.$ref, path, rel, owned, out);
  if (prop.type === 'array') {
    if (!Array.isArray(value)) return void out.push(wrongType(path, 'an array', value));
    value.forEach((item, i) => walk(item, prop.items ?? {}, `${path}[${i}]`, `${rel}[]`, owned, out));
    return;
  }
  if (prop.type === 'object' && prop.additionalProperties) {
    if (!isObject(value)) return void out.push(wrongType(path, 'an object', value));
    for (const [key, item] of Object.entries(value))
      walk(item, prop.additionalProperties, `${path}["${key}"]`, `${rel}.*`, owned, out);
    return;
  }
  if (prop.type && typeof value !== prop.type) {
    out.push(
      wrongType(path, `a ${prop.type}${prop.format === 'duration' ? ' (ISO-8601 duration)' : ''}`, value),
    );
    return;
  }
  if (prop.enum && !prop.enum.includes(value as string)) out.push(enumFinding(path, prop.enum, value));
}

/**
 * Batch reads enum values case-insensitively (Newtonsoft StringEnumConverter), so a value that differs
 * only in case works: a warning to spell it as the spec does. Any other value is refused: an error.
 */
function enumFinding(path: string, values: string[], value: unknown): Finding {
  const near = values.find((e) => e.toLowerCase() === String(value).toLowerCase());
  if (near)
    return finding(
      'POOL_TEMPLATE_BAD_ENUM',
      path,
      `${path} is "${String(value)}"; spell it as the spec does: "${near}" (Batch reads it either way, but the spec, the SDKs and Batch's answers use "${near}").`,
      'warning',
    );
  return finding(
    'POOL_TEMPLATE_BAD_ENUM',
    path,
    `${path} is "${String(value)}"; Batch accepts ${values.map((e) => `"${e}"`).join(', ')}.`,
  );
}

function walkObject(
  value: unknown,
  name: string,
  path: string,
  rel: string,
  owned: OwnedPaths,
  out: Finding[],
): void {
  const def = DEFINITIONS[name]!;
  if (!isObject(value)) return void out.push(wrongType(path, `an object (${name})`, value));
  const known = Object.keys(def.properties);
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}.${key}`;
    // Own properties only: `toString` or `constructor` must not pass as pool properties.
    const prop = Object.hasOwn(def.properties, key) ? def.properties[key] : undefined;
    if (!prop) {
      out.push(unknown(at, key, name, known, rel === ''));
      continue;
    }
    if (prop.readOnly) {
      out.push(
        finding(
          'POOL_TEMPLATE_READ_ONLY',
          at,
          `${at} is set by Batch (read-only in the spec's ${name}); remove it.`,
        ),
      );
      continue;
    }
    walk(item, prop, at, rel ? `${rel}.${key}` : key, owned, out);
  }
  for (const key of def.required ?? []) {
    const relKey = rel ? `${rel}.${key}` : key;
    // Azure answers 400 MissingRequiredProperty for "" as for a missing value (e.g. an empty formula).
    if (value[key] === '')
      out.push(
        finding(
          'POOL_TEMPLATE_EMPTY_REQUIRED',
          `${path}.${key}`,
          `${path}.${key} is empty; the spec's ${name} requires it, and Batch refuses an empty value. Fill it in.`,
        ),
      );
    if (!Object.hasOwn(value, key) && !owned.has(relKey))
      out.push(
        finding(
          'POOL_TEMPLATE_MISSING_REQUIRED',
          `${path}.${key}`,
          `${path}.${key} is required by the spec's ${name}; add it.`,
        ),
      );
  }
}

function unknown(
  at: string,
  key: string,
  name: string,
  known: string[],
  atRoot: boolean,
): ReturnType<typeof finding> {
  const later = atRoot ? LATER_API[key] : undefined;
  if (later)
    return finding(
      'POOL_TEMPLATE_UNKNOWN_PROPERTY',
      at,
      `${at} exists from Batch management API ${later}; this build creates pools with ${POOL_TEMPLATE_API_VERSION} (@azure/arm-batch 9.1.0, the newest on our registry), which cannot send it. Remove it for now.`,
    );
  const hint = closest(key, known);
  return finding(
    'POOL_TEMPLATE_UNKNOWN_PROPERTY',
    at,
    `${at} is not a property of ${name} in the Batch management API ${POOL_TEMPLATE_API_VERSION}${hint ? `: did you mean "${hint}"?` : '; remove it.'}`,
  );
}

function wrongType(path: string, expected: string, value: unknown) {
  const actual = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
  return finding('POOL_TEMPLATE_WRONG_TYPE', path, `${path} must be ${expected}, not ${actual}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
