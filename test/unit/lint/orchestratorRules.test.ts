import { spawnSync } from 'node:child_process';
import { ROOT } from '../../helpers/requests';

/**
 * The determinism guard is a lint rule set; prove it bites on code placed in src/orchestrators.
 * ESLint loads its flat config with a dynamic import, which jest's VM cannot do, so every snippet is
 * linted in one plain Node child process.
 */
type Probe = { code: string; file: string };
const LINTER = `
const { ESLint } = require('eslint');
const probes = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
Promise.all(probes.map(async (p) => (await eslint.lintText(p.code, { filePath: require('path').join(process.cwd(), p.file) }))[0].messages.map((m) => m.message)))
  .then((r) => process.stdout.write(JSON.stringify(r)));
`;
function lintAll(probes: Probe[]): string[][] {
  const run = spawnSync(process.execPath, ['-e', LINTER], {
    cwd: ROOT,
    input: JSON.stringify(probes),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[][];
}
const ORCHESTRATOR = 'src/orchestrators/probe.ts';

describe('orchestrator determinism lint rules', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", /no Node built-ins/],
    ["import * as https from 'https';\nexport const x = https;", /no Node built-ins/],
    [
      "import { ComputeManagementClient } from '@azure/arm-compute';\nexport const x = ComputeManagementClient;",
      /Azure SDKs/,
    ],
    ['export const now = () => Date.now();', /currentUtcDateTime/],
    ['export const now = () => new Date();', /currentUtcDateTime/],
    ['export const r = () => Math.random();', /newGuid/],
    ['export const env = () => process.env.X;', /No process state/],
    ['export const t = () => setTimeout(() => 1, 5);', /createTimer/],
    // Activities are borrowed as types only: loading their code would put I/O in the replay.
    [
      "import { ACTIVITY_IMPLEMENTATIONS } from '../activities';\nexport const x = ACTIVITY_IMPLEMENTATIONS;",
      /types only/,
    ],
    ["import { preflight } from '../activities/preflight';\nexport const x = preflight;", /types only/],
    ["import { ACTIVITIES } from '../activities/names';\nexport const x = ACTIVITIES;", /types only/],
    ["import { runActivity } from '../activities/result';\nexport const x = runActivity;", /types only/],
    ["import { loadConfig } from '../config';\nexport const x = loadConfig;", /activity types/],
  ])('rejects %p', (code, message) => {
    const [messages] = lintAll([{ code, file: ORCHESTRATOR }]);
    expect(messages!.some((m) => message.test(m))).toBe(true);
  });

  it('allows the same code outside src/orchestrators, and deterministic time inside', () => {
    const [outside, inside] = lintAll([
      { code: 'export const now = () => Date.now();\n', file: 'src/activities/probe.ts' },
      { code: 'export const at = (iso: string) => new Date(iso);\n', file: ORCHESTRATOR },
    ]);
    expect(outside).toEqual([]);
    expect(inside).toEqual([]);
  });

  it('allows type-only imports of activities in orchestrators', () => {
    const [typeOnly] = lintAll([
      {
        code: "import type { Activities } from '../activities';\nexport type P = Parameters<Activities['preflight']>[1];\n",
        file: ORCHESTRATOR,
      },
    ]);
    expect(typeOnly).toEqual([]);
  });
});
