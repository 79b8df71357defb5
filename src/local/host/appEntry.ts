import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Finds the app's entry files the way the Functions Node worker does (azure-functions-nodejs-worker,
 * src/startApp.ts `loadEntryPointFile`): `main` of the app root's package.json is a path or a glob,
 * expanded by globby relative to the app root, and every match is loaded. Nothing else points the
 * worker at the app, so the embedded host takes no path of its own: a wrong `main` that Azure would
 * load zero functions from stops the host here instead, naming the field and the fix.
 */
export function appEntryFiles(appRoot: string): string[] {
  const packagePath = join(appRoot, 'package.json');
  if (!existsSync(packagePath))
    throw new Error(`No package.json in the app root ${appRoot}: the Functions worker reads "main" from it.`);
  const pkg = JSON.parse(readFileSync(packagePath, 'utf8')) as { main?: unknown; type?: unknown };
  if (typeof pkg.main !== 'string' || pkg.main.trim() === '')
    throw new Error(
      `${packagePath} has no "main": the Functions worker loads the app only from "main" (a path or glob ` +
        `such as "dist/functions/index.js"). Set it to the compiled entry point.`,
    );
  const files = expandGlob(appRoot, pkg.main);
  if (files.length === 0)
    throw new Error(
      `"main" in ${packagePath} is "${pkg.main}", which matches no file under ${appRoot}: in Azure the ` +
        `worker logs "Found zero files matching the supplied pattern" and no function loads. ` +
        `Build the app (npm run build) or point "main" at the compiled entry (e.g. dist/functions/index.js).`,
    );
  // The worker import()s ES modules; this host require()s, which only suits CommonJS.
  const esm = files.filter((f) => f.endsWith('.mjs') || (pkg.type === 'module' && !f.endsWith('.cjs')));
  if (esm.length > 0)
    throw new Error(
      `The embedded host loads CommonJS entry points only; ${esm.join(', ')} would load as ES modules.`,
    );
  return files.map((f) => join(appRoot, f));
}

/**
 * A small globby: `*`, `?`, `[...]`, `{a,b}` within a path segment and `**` across segments; like
 * globby's defaults, wildcards do not match names starting with a dot and only files are returned.
 * Paths come back relative to `root` with `/` separators, sorted (globby's order is the file
 * system's; sorting keeps the load order stable).
 */
export function expandGlob(root: string, pattern: string): string[] {
  const segments = pattern.replace(/^\.\//, '').split('/').filter(Boolean);
  const found = new Set<string>();
  const walk = (dir: string, rel: string[], index: number): void => {
    if (index === segments.length) {
      if (rel.length > 0 && isFile(dir)) found.add(rel.join('/'));
      return;
    }
    const segment = segments[index]!;
    if (segment === '**') {
      walk(dir, rel, index + 1);
      for (const name of subdirectories(dir)) walk(join(dir, name), [...rel, name], index);
      return;
    }
    if (!/[*?[{]/.test(segment)) {
      const next = join(dir, segment);
      if (existsSync(next)) walk(next, [...rel, segment], index + 1);
      return;
    }
    const matcher = segmentRegExp(segment);
    for (const name of entries(dir))
      if (matcher.test(name) && (!name.startsWith('.') || segment.startsWith('.')))
        walk(join(dir, name), [...rel, name], index + 1);
  };
  walk(root, [], 0);
  return [...found].sort();
}

function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${segment.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = segment.indexOf('}', i + 1);
      if (end < 0) source += '\\{';
      else {
        const options = segment.slice(i + 1, end).split(',');
        source += `(?:${options.map((o) => segmentRegExp(o).source.slice(1, -1)).join('|')})`;
        i = end;
      }
    } else source += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function subdirectories(dir: string): string[] {
  return entries(dir).filter((name) => !name.startsWith('.') && isDirectory(join(dir, name)));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
