import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApp } from '../helpers/appLoad';
import { copyDeployable } from '../helpers/funcignore';
import { ROOT } from '../helpers/requests';

// In Azure only the deployment artifact exists: what `azd deploy` zips (the service folder minus
// .funcignore) after the prepackage hook (`npm ci && npm run build && npm run bundle && npm prune
// --omit=dev`, see azure.yaml), so only
// production dependencies are there and the worker finds the app through package.json "main".
// Here: the same files in a fresh folder, production dependencies installed from the lock file, and the
// app loaded through the embedded host's functions-core shim. Every function the dev tree registers
// must register from the artifact too. Needs `npm run build` first (as `npm test` does).
describe('the deployment artifact', () => {
  let dir: string;
  let files: string[];
  let install: ReturnType<typeof spawnSync>;
  let bundle: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bif-artifact-'));
    files = copyDeployable(ROOT, dir, ['node_modules']);
    install = spawnSync(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
    );
    // The hook's `npm run bundle`, here after the install so bundled packages resolve from production
    // dependencies only (in the hook they are pruned right after).
    bundle = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.js'), dir], { encoding: 'utf8' });
  }, 150_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the compiled app, host.json and package files, and no sources, tests or local world', () => {
    expect(install.status).toBe(0);
    expect(files).toEqual(expect.arrayContaining(['host.json', 'package.json', 'package-lock.json']));
    const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }).main;
    expect(files.some((f) => f.startsWith('dist/functions/'))).toBe(true);
    expect(main.startsWith('dist/')).toBe(true);
    expect(files.filter((f) => /^(src|test|infra|docs|dist\/local)\//.test(f) || f.endsWith('.ts'))).toEqual(
      [],
    );
  });

  it('registers every function from package.json main with production dependencies only', () => {
    const dev = loadApp(ROOT, { appRoot: ROOT });
    expect(dev.stderr).toBe('');
    expect(dev.functions.length).toBeGreaterThan(0);
    // A bundled import esbuild cannot resolve from production dependencies fails here first.
    expect(bundle.stderr).toBe('');
    expect(bundle.status).toBe(0);
    const deployed = loadApp(ROOT, { appRoot: dir });
    // A runtime import of a devDependency or of src/local shows up here as "Cannot find module".
    expect(deployed.stderr).toBe('');
    expect(deployed.functions).toEqual(dev.functions);
  });

  it('loads no Azure SDK at start-up besides @azure/functions (the SDKs load on first use)', () => {
    // Cold start: a Functions instance pays for every module the entry imports (docs/benchmarks.md).
    const sdks = (packages: string[]) =>
      packages.filter((p) => p.startsWith('@azure/') && !p.startsWith('@azure/functions'));
    const dev = loadApp(ROOT, { appRoot: ROOT });
    expect(dev.stderr).toBe('');
    expect(sdks(dev.packages)).toEqual([]);
    expect(dev.packages).toEqual(expect.arrayContaining(['@azure/functions', 'durable-functions']));
    const deployed = loadApp(ROOT, { appRoot: dir });
    expect(deployed.stderr).toBe('');
    expect(sdks(deployed.packages)).toEqual([]);
  });
});

describe('the bif command of a clone', () => {
  it('runs through npx from package.json bin (npm links the package’s own bin; --no: never from the registry)', () => {
    // npm 11 runs a project's own bin by linking the project into its npx cache; a fresh cache makes it
    // link the bin package.json names now rather than one linked by an earlier run.
    const cache = mkdtempSync(join(tmpdir(), 'bif-npx-cache-'));
    try {
      const plan = spawnSync(
        'npx',
        ['--cache', cache, '--prefer-offline', '--no', 'bif', 'plan', 'examples/one-region-small.json'],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(plan.stderr).not.toMatch(/not found|Cannot find module/i);
      expect(plan.status).toBe(0);
      expect(plan.stdout).toMatch(/^Plan for examples\/one-region-small\.json: VALID/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 150_000);
});
