import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApp } from '../helpers/appLoad';
import { ROOT } from '../helpers/requests';

// In Azure only the deployment artifact exists: the folder azd zips (azure.yaml `dist`), made by
// scripts/package.js in the service's prepackage hook — the compiled app minus .funcignore, its entry
// bundled, production dependencies only — and the worker finds the app through package.json "main".
// Here: the same script into a fresh folder, and the app loaded through the embedded host's functions-core
// shim. Every function the dev tree registers must register from the artifact too. Needs `npm run build`
// first (as `npm test` does).
describe('the deployment artifact', () => {
  let dir: string;
  let files: string[];
  let pack: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bif-artifact-'));
    pack = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.js'), dir, '--prefer-offline'], {
      encoding: 'utf8',
      timeout: 150_000,
    });
    files = listFiles(dir).filter((f) => !f.startsWith('node_modules/'));
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the compiled app, host.json and package files, and no sources, tests or local world', () => {
    // npm's own warnings (e.g. EBADENGINE for @azure/arm-compute on Node 20) are not failures.
    expect(String(pack.stderr).replace(/^npm warn .*\n/gm, '')).toBe('');
    expect(pack.status).toBe(0);
    expect(files).toEqual(
      expect.arrayContaining(['host.json', 'package.json', 'package-lock.json', '.funcignore']),
    );
    // The shipped .funcignore keeps node_modules (azd leaves it out of a Node.js zip without one).
    expect(readFileSync(join(dir, '.funcignore'), 'utf8')).not.toMatch(/^[^#\n]*node_modules/m);
    // durable-functions' code lives in lib/src: an unanchored "src/" in .funcignore would have dropped it.
    expect(existsSync(join(dir, 'node_modules', 'durable-functions', 'lib', 'src', 'index.js'))).toBe(true);
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
    // A bundled import esbuild cannot resolve from production dependencies fails the package step first.
    expect(pack.status).toBe(0);
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

function listFiles(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel)).flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    return statSync(join(root, path)).isDirectory() ? listFiles(root, path) : [path];
  });
}
