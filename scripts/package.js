// Builds the folder azd zips and deploys (azure.yaml: services.api.dist = .azure-deploy, made by the
// service's prepackage hook, which azd runs after its own restore and build of the service): the compiled
// app minus .funcignore, its entry bundled for cold start (scripts/bundle.js), and the production
// dependencies installed from the lock file — nothing else, so a runtime import of a devDependency fails
// in test/integration/artifact.test.ts as it would in Azure. The dev tree's node_modules and dist/ are
// left as they are (no prune). Usage: node scripts/package.js [outDir] (default .azure-deploy);
// --prefer-offline is passed through to npm ci.
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { isAbsolute, join, resolve } = require('node:path');
const { copyDeployable } = require('./funcignore');
const { bundleOptions } = require('./bundle');

const root = resolve(__dirname, '..');
const args = process.argv.slice(2);
const outArg = args.find((a) => !a.startsWith('--'));
const out = outArg ? (isAbsolute(outArg) ? outArg : resolve(outArg)) : join(root, '.azure-deploy');

const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main;
if (!existsSync(join(root, main))) {
  process.stderr.write(`package: ${main} (package.json "main") is missing: run \`npm run build\` first.\n`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
const files = copyDeployable(root, out, ['node_modules', '.azure-deploy', '.git']);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const install = spawnSync(
  npm,
  [
    'ci',
    '--omit=dev',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    ...args.filter((a) => a === '--prefer-offline'),
  ],
  { cwd: out, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
);
if (install.status !== 0) {
  process.stderr.write(`package: npm ci --omit=dev failed in ${out} (exit ${install.status}).\n`);
  process.exit(1);
}
require('esbuild').buildSync(bundleOptions(out));
// Without a .funcignore azd leaves node_modules out of a Node.js function zip (and Azure would need a remote
// build); this one keeps it: the folder is already exactly what ships.
writeFileSync(
  join(out, '.funcignore'),
  '# Built by scripts/package.js: everything here ships, node_modules included (no remote build).\nlocal.settings.json\n',
);
process.stdout.write(`package: ${files.length} files and production dependencies in ${out}\n`);
