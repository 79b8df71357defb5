import { spawnSync } from 'node:child_process';
import { ROOT } from '../../helpers/requests';

/**
 * src/domain imports only src/domain, zod and node:crypto: prove the lint rule bites on snippets placed
 * at each depth of src/domain, and lets the domain's own imports through. Linted in a plain Node child
 * process because ESLint loads its flat config with a dynamic import, which jest's VM cannot do.
 */
const LINTER = `
const { ESLint } = require('eslint');
const probes = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
Promise.all(probes.map(async (p) => (await eslint.lintText(p.code, { filePath: require('path').join(process.cwd(), p.file) }))[0].messages.map((m) => m.message)))
  .then((r) => process.stdout.write(JSON.stringify(r)));
`;
function lintAll(probes: { code: string; file: string }[]): string[][] {
  const run = spawnSync(process.execPath, ['-e', LINTER], {
    cwd: ROOT,
    input: JSON.stringify(probes),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[][];
}

const use = (from: string) => `import type { X } from '${from}';\nexport type Y = X;\n`;

const FORBIDDEN: [string, string][] = [
  ['src/domain/probe.ts', '../ports'],
  ['src/domain/probe.ts', '../azure/errors'],
  ['src/domain/planning/probe.ts', '../../ports/batch'],
  ['src/domain/planning/probe.ts', '../../orchestrators/pipelineStatus'],
  ['src/domain/a/b/probe.ts', '../../../activities/preflight'],
  ['src/domain/probe.ts', '@azure/arm-compute'],
  ['src/domain/probe.ts', 'node:fs'],
  ['src/domain/probe.ts', 'durable-functions'],
  // Issue #15's walk-arounds: a path that leaves through './' or a folder, and files deeper than depth 2.
  ['src/domain/probe.ts', './../config/settings'],
  ['src/domain/probe.ts', './planning/../../activities/services'],
  ['src/domain/planning/x/y/zzDeep.ts', '../../../../config/settings'],
  ['src/domain/a/b/c/d/probe.ts', '../../../../../../src/ports'],
  ['src/domain/probe.ts', 'crypto'],
  ['src/domain/probe.ts', 'zod/lib/helpers'],
];

/** Every other way a module names another one: each must be refused like an import. */
const OTHER_FORMS: [string, string][] = [
  ['dynamic import', "export const load = () => import('@azure/batch');\n"],
  ['dynamic import leaving the domain', "export const load = () => import('../config/settings');\n"],
  ['dynamic import of a computed name', 'export const load = (m: string) => import(m);\n'],
  ['export from', "export { loadConfig } from '../config';\n"],
  ['export * from', "export * from '../activities/preflight';\n"],
  ['require', "export const x = require('../config');\n"],
  ['import = require', "import fs = require('node:fs');\nexport const x = fs;\n"],
  ['import() type', "export type S = import('../config/settings').Settings;\n"],
  ['side-effect import', "import '../local/host';\n"],
];

const ALLOWED: { code: string; file: string }[] = [
  { code: use('./buildRequest'), file: 'src/domain/probe.ts' },
  { code: use('../findings'), file: 'src/domain/planning/probe.ts' },
  { code: use('zod'), file: 'src/domain/probe.ts' },
  { code: use('node:crypto'), file: 'src/domain/probe.ts' },
  { code: use('../ports'), file: 'src/activities/probe.ts' },
  { code: use('../../../planning/plan'), file: 'src/domain/planning/x/y/probe.ts' },
  { code: use('./poolTemplate/../region'), file: 'src/domain/probe.ts' },
  { code: "export const l = () => import('./region');\n", file: 'src/domain/probe.ts' },
  { code: "export { parseRegion } from './region';\n", file: 'src/domain/probe.ts' },
];

describe('src/domain imports only the domain', () => {
  // One ESLint process for every probe: loading the config is most of the time.
  let forbidden: string[][];
  let otherForms: string[][];
  let allowed: string[][];
  beforeAll(() => {
    const results = lintAll([
      ...FORBIDDEN.map(([file, from]) => ({ code: use(from), file })),
      ...OTHER_FORMS.map(([, code]) => ({ code, file: 'src/domain/probe.ts' })),
      ...ALLOWED,
    ]);
    forbidden = results.splice(0, FORBIDDEN.length);
    otherForms = results.splice(0, OTHER_FORMS.length);
    allowed = results;
  });

  it.each(FORBIDDEN.map(([file, from], i) => [file, from, i] as const))(
    'rejects %s importing %s',
    (_file, _from, i) => {
      expect(forbidden[i]!.some((m) => /src\/domain imports only src\/domain/.test(m))).toBe(true);
    },
  );

  it('rejects every other form of naming a module: ' + OTHER_FORMS.map(([name]) => name).join(', '), () => {
    const refused = otherForms.map((messages) =>
      messages.some((m) => /src\/domain imports only src\/domain/.test(m)),
    );
    expect(refused).toEqual(OTHER_FORMS.map(() => true));
  });

  it('allows domain, zod and node:crypto imports, and the same imports outside the domain', () => {
    expect(allowed).toEqual([[], [], [], [], [], [], [], [], []]);
  });
});
