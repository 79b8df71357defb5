import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEntryFiles, expandGlob } from '../../../src/local/host/appEntry';
import { startHost } from '../../../src/local/host/host';
import { VirtualClock } from '../../../src/local/clock';
import { loadApp } from '../../helpers/appLoad';
import { ROOT } from '../../helpers/requests';

// The Functions Node worker finds the app only through package.json "main", a path or a globby pattern
// relative to the app root (azure-functions-nodejs-worker src/startApp.ts). The embedded host must
// find it the same way, so a "main" Azure would load nothing from fails here too.

function appRoot(main: string | undefined, files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'bif-main-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify(main === undefined ? {} : { main }));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  return root;
}

describe('the app entry, found as the Functions worker finds it', () => {
  const tree = [
    'dist/functions/index.js',
    'dist/functions/http.js',
    'dist/functions/.hidden.js',
    'dist/cli/bif.js',
    'dist/functions/nested/deep.js',
    'dist/functions/readme.md',
  ];

  it('takes "main" as a path relative to the app root', () => {
    const root = appRoot('dist/functions/index.js', tree);
    expect(appEntryFiles(root)).toEqual([join(root, 'dist/functions/index.js')]);
  });

  it('expands "main" as a glob: *, **, {a,b}, ? and [..]; no dotfiles; files only', () => {
    const root = appRoot('x', tree);
    expect(expandGlob(root, 'dist/functions/*.js')).toEqual([
      'dist/functions/http.js',
      'dist/functions/index.js',
    ]);
    expect(expandGlob(root, 'dist/**/*.js')).toEqual([
      'dist/cli/bif.js',
      'dist/functions/http.js',
      'dist/functions/index.js',
      'dist/functions/nested/deep.js',
    ]);
    expect(expandGlob(root, 'dist/functions/{index,http}.js')).toEqual([
      'dist/functions/http.js',
      'dist/functions/index.js',
    ]);
    expect(expandGlob(root, 'dist/functions/inde?.[jt]s')).toEqual(['dist/functions/index.js']);
    expect(expandGlob(root, './dist/functions/nested/*')).toEqual(['dist/functions/nested/deep.js']);
    expect(expandGlob(root, 'dist/*')).toEqual([]);
  });

  it('refuses a "main" that matches nothing, naming the field and the fix', () => {
    const root = appRoot('dist/src/functions/index.js', tree);
    expect(() => appEntryFiles(root)).toThrow(
      /"main".*"dist\/src\/functions\/index\.js".*matches no file.*npm run build/s,
    );
  });

  it('stops the host on such an app root before it listens, instead of serving no function', async () => {
    const root = appRoot('dist/src/functions/index.js', tree);
    await expect(
      startHost({ appRoot: root, clock: new VirtualClock({ speed: 1 }), dbPath: ':memory:', port: 0 }),
    ).rejects.toThrow(/matches no file/);
  });

  it('refuses an app root without "main" or without package.json', () => {
    expect(() => appEntryFiles(appRoot(undefined, tree))).toThrow(/has no "main"/);
    expect(() => appEntryFiles(mkdtempSync(join(tmpdir(), 'bif-empty-')))).toThrow(/No package\.json/);
  });

  it('refuses ES module entries, which the worker would import() rather than require()', () => {
    const root = appRoot('dist/functions/index.mjs', ['dist/functions/index.mjs']);
    expect(() => appEntryFiles(root)).toThrow(/CommonJS/);
  });

  it("loads this project's own app from its package.json main: every function module registers", () => {
    // Reference: import every compiled module under dist/functions (each registers its triggers on import).
    const dir = join(ROOT, 'dist', 'functions');
    const everyModule = loadApp(ROOT, {
      files: readdirSync(dir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(dir, f)),
    });
    expect(everyModule.functions.length).toBeGreaterThan(0);
    const fromMain = loadApp(ROOT, { appRoot: ROOT });
    expect(fromMain.stderr).toBe('');
    expect(fromMain.functions).toEqual(everyModule.functions);
  });
});
