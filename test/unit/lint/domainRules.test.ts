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
];

describe('src/domain imports only the domain', () => {
  // One ESLint process for every probe: loading the config is most of the time.
  let forbidden: string[][];
  beforeAll(() => {
    forbidden = lintAll(FORBIDDEN.map(([file, from]) => ({ code: use(from), file })));
  });

  it.each(FORBIDDEN.map(([file, from], i) => [file, from, i] as const))(
    'rejects %s importing %s',
    (_file, _from, i) => {
      expect(forbidden[i]!.some((m) => /src\/domain imports only src\/domain/.test(m))).toBe(true);
    },
  );

  it('allows domain, zod and node:crypto imports, and the same imports outside the domain', () => {
    const results = lintAll([
      { code: use('./buildRequest'), file: 'src/domain/probe.ts' },
      { code: use('../findings'), file: 'src/domain/planning/probe.ts' },
      { code: use('zod'), file: 'src/domain/probe.ts' },
      { code: use('node:crypto'), file: 'src/domain/probe.ts' },
      { code: use('../ports'), file: 'src/activities/probe.ts' },
    ]);
    expect(results).toEqual([[], [], [], [], []]);
  });
});
