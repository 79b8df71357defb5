import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The fewest settings the app needs to load (config is validated at load, as in Azure). */
export const LOAD_SETTINGS = { BIF_SERVICEBUS__fullyQualifiedNamespace: 'load.servicebus.windows.net' };

export interface LoadResult {
  functions: string[];
  /** Packages under node_modules the load pulled in. */
  packages: string[];
  status: number | null;
  stderr: string;
}

/**
 * Loads an app in a fresh Node process the way the Functions worker does, through the embedded host's
 * functions-core shim (taken from `shimRoot`, the dev tree), and reports what registered. `load` is
 * either an app root (found through package.json "main", as the worker finds it) or explicit files.
 */
export function loadApp(
  shimRoot: string,
  load: { appRoot: string } | { files: string[] },
  cwd?: string,
): LoadResult {
  const dist = join(shimRoot, 'dist', 'local', 'host');
  const script = `
    require(${JSON.stringify(join(dist, 'functionsCore.js'))}).installFunctionsCore();
    const files = ${
      'appRoot' in load
        ? `require(${JSON.stringify(join(dist, 'appEntry.js'))}).appEntryFiles(${JSON.stringify(load.appRoot)})`
        : JSON.stringify(load.files)
    };
    for (const f of files) require(f);
    const { registrations } = require(${JSON.stringify(join(dist, 'functionsCore.js'))});
    const packages = new Set();
    for (const id of Object.keys(require.cache)) {
      const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(id);
      if (m) packages.add(m[1].replace(/\\\\/g, '/'));
    }
    process.stdout.write(JSON.stringify({
      functions: [...registrations.values()].map((f) => f.name + ' (' + f.trigger.type + ')').sort(),
      packages: [...packages].sort(),
    }));`;
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd: cwd ?? ('appRoot' in load ? load.appRoot : shimRoot),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...LOAD_SETTINGS },
    timeout: 60_000,
  });
  const parsed =
    child.status === 0
      ? (JSON.parse(child.stdout) as { functions: string[]; packages: string[] })
      : undefined;
  return {
    functions: parsed?.functions ?? [],
    packages: parsed?.packages ?? [],
    status: child.status,
    stderr: child.stderr,
  };
}
