// `.funcignore` as the Functions deploy tools read it: gitignore syntax relative to the app folder (azd parses
// it with github.com/denormal/go-gitignore). The ignore file itself and local.settings.json never ship.
const { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');

/** @returns {(relPath: string, isDir: boolean) => boolean} whether a path is left out */
function funcIgnore(root) {
  const rules = readFileSync(join(root, '.funcignore'), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      let pattern = negate ? line.slice(1) : line;
      const dirOnly = pattern.endsWith('/');
      pattern = pattern.replace(/\/+$/, '');
      const anchored = pattern.includes('/');
      pattern = pattern.replace(/^\//, '');
      const body = pattern
        .split('/')
        .map((segment) =>
          segment === '**'
            ? '⁂'
            : segment
                .replace(/[.+^$()|\\{}[\]]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/⁂\//g, '(?:.*/)?')
        .replace(/\/⁂/g, '/.*')
        .replace(/⁂/g, '.*');
      return { negate, dirOnly, regex: new RegExp(`${anchored ? '^' : '(?:^|/)'}${body}$`) };
    });
  return (relPath, isDir) => {
    const name = relPath.split('/').at(-1);
    if (!isDir && (name === '.funcignore' || relPath === 'local.settings.json')) return true;
    let ignored = false;
    for (const rule of rules)
      if ((!rule.dirOnly || isDir) && rule.regex.test(relPath)) ignored = !rule.negate;
    return ignored;
  };
}

/** Copies what ships from `root` into `target` (skipping `skipDirs` at the top); returns the files copied. */
function copyDeployable(root, target, skipDirs) {
  const ignored = funcIgnore(root);
  const copied = [];
  const walk = (rel) => {
    for (const name of readdirSync(join(root, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      if (!rel && skipDirs.includes(name)) continue;
      const isDir = statSync(join(root, path)).isDirectory();
      if (ignored(path, isDir)) continue;
      if (isDir) walk(path);
      else {
        mkdirSync(dirname(join(target, path)), { recursive: true });
        copyFileSync(join(root, path), join(target, path));
        copied.push(path);
      }
    }
  };
  walk('');
  return copied.sort();
}

module.exports = { funcIgnore, copyDeployable };
