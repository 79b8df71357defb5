import { readFileSync } from 'node:fs';
import { checkBuildRequestText } from '../domain/planRequest';
import { finding } from '../domain/findings';
import { MAX_REQUEST_BYTES } from '../triggers/intake';
import type { PlanSummary } from '../domain/planning/plan';
import type { SupportedImage } from '../domain/planning/nodeAgentSku';
import { renderPlannedWaves } from './waveView';
import { renderTable } from './table';
import { addCutoverPlan } from './planCutover';

export interface CommandResult {
  exitCode: number;
  stdout: string;
}

const EXIT_VALID = 0;
export const EXIT_UNEXPECTED = 1;
const EXIT_INVALID = 2;

/**
 * `bif plan <request.json> [--json] [--supported-images FILE]`: validate and plan, no side effects.
 * Exit 0 valid, 2 invalid (any error finding, or not JSON), 1 unexpected failure.
 */
export function planCommand(args: string[], now: Date): CommandResult {
  const json = args.includes('--json');
  const supportedAt = args.indexOf('--supported-images');
  const supportedFile = supportedAt >= 0 ? args[supportedAt + 1] : undefined;
  const capacityFileAt = args.includes('--capacity') ? args.indexOf('--capacity') + 1 : -1;
  const file = args.find(
    (a, i) => !a.startsWith('--') && (supportedAt < 0 || i !== supportedAt + 1) && i !== capacityFileAt,
  );
  if (!file) {
    return {
      exitCode: EXIT_INVALID,
      stdout: 'usage: bif plan <request.json> [--json] [--supported-images <file>] [--capacity <file>]\n',
    };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { exitCode: EXIT_INVALID, stdout: `bif plan: cannot read ${file}: ${(error as Error).message}\n` };
  }
  const supported = supportedFile ? readSupportedImages(supportedFile) : undefined;
  const check = checkBuildRequestText(text, { now, supportedImagesForAll: supported });
  const { summary } = check;
  addSizeFinding(summary, text);
  const capacityAt = args.indexOf('--capacity');
  const cutover =
    capacityAt >= 0 && check.ok ? addCutoverPlan(summary, check.request, args[capacityAt + 1]!) : [];
  return {
    exitCode: summary.valid ? EXIT_VALID : EXIT_INVALID,
    stdout: json ? `${JSON.stringify(summary)}\n` : renderPlan(file, summary, cutover),
  };
}

/**
 * The doors (queue, POST /api/builds, POST /api/plan) refuse a request over MAX_REQUEST_BYTES with 413:
 * plan must not call VALID what submit would refuse.
 */
function addSizeFinding(summary: PlanSummary, text: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_REQUEST_BYTES) return;
  summary.findings.unshift(
    finding(
      'REQUEST_TOO_LARGE',
      '',
      `The request is ${bytes} bytes; at most ${MAX_REQUEST_BYTES} fit in a queue message (64 KiB as sent, base64-encoded), and submit, POST /api/builds and POST /api/plan refuse it (413). Trim the pool templates or startTask, or split the pools into several requests.`,
    ),
  );
  summary.valid = false;
}

/** Accepts Batch's raw answer (`{value: [...]}`), an Azure REST example file, or a bare array. */
function readSupportedImages(file: string): SupportedImage[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const asRecord = raw as {
    value?: SupportedImage[];
    responses?: { 200?: { body?: { value?: SupportedImage[] } } };
  };
  const list = Array.isArray(raw) ? raw : (asRecord.value ?? asRecord.responses?.[200]?.body?.value);
  if (!Array.isArray(list))
    throw new Error(`${file} has no list of supported images (expected {"value": [...]})`);
  return list as SupportedImage[];
}

function renderPlan(file: string, summary: PlanSummary, cutover: string[] = []): string {
  const out: string[] = [`Plan for ${file}: ${summary.valid ? 'VALID' : 'NOT VALID'}`, ''];
  if (summary.regions.length > 0) {
    out.push(
      'Replication',
      renderTable(
        ['region', 'capacity (nodes)', 'replicas'],
        summary.regions.map((r) => [r.name, r.capacity, r.replicaCount]),
      ),
      '',
    );
  }
  if (summary.pools.length > 0) {
    out.push(
      'Pools',
      renderTable(
        ['pool', 'region', 'node agent SKU', 'resize timeout'],
        summary.pools.map((p) => [p.poolId, p.region, p.nodeAgentSkuId, shownResizeTimeout(p)]),
      ),
      '',
    );
  }
  out.push(...cutover, ...renderPlannedWaves(summary.waves), ...renderImage(summary.image));
  for (const p of summary.pools) {
    if (!p.effectivePool) continue;
    out.push(
      `Effective pool ${p.poolId} (as sent to the Batch management API)`,
      renderTable(['property', 'value'], flatten(p.effectivePool)),
      '',
    );
  }
  if (summary.findings.length === 0) out.push('No findings.');
  else {
    const errors = summary.findings.filter((f) => f.severity === 'error').length;
    out.push(
      `Findings (${errors} error${errors === 1 ? '' : 's'}, ${summary.findings.length - errors} warning${summary.findings.length - errors === 1 ? '' : 's'})`,
    );
    for (const f of summary.findings)
      out.push(
        `  ${f.severity.toUpperCase().padEnd(7)} ${f.code}  ${f.path || '(request)'}`,
        `          ${f.message}`,
      );
  }
  return `${out.join('\n')}\n`;
}

/** Batch ignores resizeTimeout for an autoscale pool (the formula resizes it): show the mode instead. */
function shownResizeTimeout(pool: PlanSummary['pools'][number]): string {
  const scale = pool.effectivePool?.properties.scaleSettings as { autoScale?: unknown } | undefined;
  return scale?.autoScale ? '(autoscale)' : pool.resizeTimeout;
}

/** Security type and architecture, with what is not known before preflight reads the source said so. */
function renderImage(image: PlanSummary['image']): string[] {
  const unknown = '(read from the source at preflight)';
  const profile = image.poolSecurityProfile;
  return [
    'Image',
    renderTable(
      ['property', 'value'],
      [
        ['source security type', image.sourceSecurityType ?? unknown],
        ['definition SecurityType', image.definitionSecurityType ?? unknown],
        ['architecture', image.architecture ?? unknown],
        [
          'pool securityProfile',
          profile
            ? `${profile.securityType} (secure boot ${profile.uefiSettings.secureBootEnabled ? 'on' : 'off'}, vTPM ${profile.uefiSettings.vTpmEnabled ? 'on' : 'off'})`
            : image.definitionSecurityType
              ? 'none needed'
              : unknown,
        ],
      ],
    ),
    '',
  ];
}

/** Leaves of a JSON value as [dotted path, JSON text] rows (arrays of scalars stay on one row). */
function flatten(value: unknown, path = ''): [string, string][] {
  const scalarArray = Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
  const empty = value !== null && typeof value === 'object' && Object.keys(value).length === 0;
  if (value !== null && typeof value === 'object' && !scalarArray && !empty) {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`${path}[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v] as const);
    return entries.flatMap(([p, v]) => flatten(v, p));
  }
  return [[path, JSON.stringify(value)]];
}
