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

const REJECTED: [string, RegExp][] = [
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
];

const ALLOWED_IN_ORCHESTRATORS = [
  "import type { OrchestrationContext } from 'durable-functions';",
  'export const later = (context: OrchestrationContext, ms: number): Date =>',
  '  new Date(context.df.currentUtcDateTime.getTime() + ms);',
  'export const at = (iso: string) => new Date(iso);',
  'export const backoff = (ms: number) => Math.min(ms * 2, Math.max(1_000, Math.round(ms / 3)));',
  'export type Clock = typeof Date;',
  'export const shadow = (performance: { now(): number }) => performance.now();',
  '',
].join('\n');
const ALLOWED: Probe[] = [
  { code: ALLOWED_IN_ORCHESTRATORS, file: ORCHESTRATOR },
  { code: 'export const now = () => Date.now();\n', file: 'src/activities/probe.ts' },
  { code: 'export const at = (iso: string) => new Date(iso);\n', file: ORCHESTRATOR },
  {
    code: "import type { Activities } from '../activities';\nexport type P = Parameters<Activities['preflight']>[1];\n",
    file: ORCHESTRATOR,
  },
];

describe('orchestrator determinism lint rules', () => {
  // One ESLint process for every probe: loading the config is most of the time.
  let rejected: string[][];
  let allowed: string[][];
  beforeAll(() => {
    const results = lintAll([...REJECTED.map(([code]) => ({ code, file: ORCHESTRATOR })), ...ALLOWED]);
    rejected = results.slice(0, REJECTED.length);
    allowed = results.slice(REJECTED.length);
  });

  it.each(REJECTED.map(([code, message], i) => [code, message, i] as const))(
    'rejects %p',
    (_code, message, i) => {
      const messages = rejected[i];
      expect(messages!.some((m) => message.test(m))).toBe(true);
    },
  );

  it('allows what the orchestrators use: Date as a type, new Date(arg), Math helpers, local shadows', () => {
    const [messages] = allowed;
    expect(messages).toEqual([]);
  });

  it('allows the same code outside src/orchestrators, and deterministic time inside', () => {
    const [, outside, inside] = allowed;
    expect(outside).toEqual([]);
    expect(inside).toEqual([]);
  });

  it('allows type-only imports of activities in orchestrators', () => {
    const [, , , typeOnly] = allowed;
    expect(typeOnly).toEqual([]);
  });
});

// Issue #15: each of these walked around the first rule set; every message says what to use instead.
const WALK_AROUNDS: [string, RegExp][] = [
  ['export const now = () => globalThis.Date.now();', /globalThis/],
  ['const D = Date;\nexport const now = () => D.now();', /currentUtcDateTime/],
  ['export const { now } = Date;', /currentUtcDateTime/],
  ['export const now = () => Date();', /currentUtcDateTime/],
  ['export const now = () => new Date(...[]);', /currentUtcDateTime/],
  ['export const now = () => Reflect.construct(Date, []);', /currentUtcDateTime/],
  ['export const now = () => performance.now();', /currentUtcDateTime/],
  ['export const id = () => crypto.randomUUID();', /newGuid/],
  ['export const env = () => globalThis.process.env.X;', /globalThis/],
  ['export const env = () => process.env;', /settings .*input/],
  ["export const r = () => Math['random']();", /newGuid/],
  ['const M = Math;\nexport const r = () => M.random();', /newGuid/],
  ['export const t = () => setInterval(() => 1, 5);', /createTimer/],
  ['export const t = () => setImmediate(() => 1);', /createTimer/],
  ['export const t = () => queueMicrotask(() => 1);', /yield/],
  ["export const os = () => import('node:os');", /activity/],
  ["export const a = () => import('../activities/preflight');", /activity/],
  ['export const f = () => new Intl.DateTimeFormat();', /time zone/],
  ["export const x = require('node:os');", /activity/],
  ["export const x = require('../activities/preflight');", /activity/],
  ["import os = require('node:os');\nexport const x = os;", /activity/],
  ["export const f = () => fetch('https://example.com');", /activity/],
  ["export const f = () => eval('Date.now()');", /Code from strings/],
  ["export const f = () => new Function('return Date.now()');", /Code from strings/],
  ['export const w = (o: object) => new WeakRef(o);', /garbage collector/],
  ['export const here = () => __dirname;', /activity/],
  ['export const u = () => import.meta.url;', /activity/],
  [
    "import type { OrchestrationContext } from 'durable-functions';\nexport const now = (c: OrchestrationContext) => new (c.df.currentUtcDateTime.constructor as DateConstructor)();",
    /constructor/,
  ],
  ["export const f = () => (0)['constructor']['constructor']('return 1');", /constructor/],
];
describe('orchestrator determinism lint rules: issue #15 walk-arounds', () => {
  // One ESLint process for all of them: loading the config is most of the time.
  let results: string[][];
  beforeAll(() => {
    results = lintAll(WALK_AROUNDS.map(([code]) => ({ code, file: ORCHESTRATOR })));
  });
  it.each(WALK_AROUNDS.map(([code, message], i) => [code, message, i] as const))(
    'rejects %p',
    (_code, message, i) => {
      expect(results[i]).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    },
  );
});
