// Run by scripts/package.js (azd's prepackage hook of the service), or `npm run bundle`: replaces the app's entry (package.json "main") with
// one esbuild bundle of everything the entry loads at start-up: @azure/functions, durable-functions, zod
// and our code. A Functions cold start then reads one file instead of resolving hundreds of modules.
// The Azure SDKs stay external: the composition root requires them on first use, from the deployed
// node_modules (production dependencies), so bundling them would only add parse time to every start.
// Figures: docs/benchmarks.md ("Cold start"). Usage: node scripts/bundle.js [appRoot] (default: cwd).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Required on first use only (src/compositionRoot.ts, src/azure/clients.ts). */
const LAZY_PACKAGES = [
  '@azure/arm-compute',
  '@azure/batch',
  '@azure/core-rest-pipeline',
  '@azure/identity',
  '@azure/ms-rest-js',
  '@azure/service-bus',
];

function bundleOptions(appRoot, outfile) {
  const main = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')).main;
  if (typeof main !== 'string' || /[*?[{]/.test(main))
    throw new Error(
      `bundle: package.json "main" must be one file to bundle in place, not ${JSON.stringify(main)}`,
    );
  const entry = join(appRoot, main);
  return {
    absWorkingDir: appRoot,
    entryPoints: [entry],
    outfile: outfile ?? entry,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    // Azure runs Node 22, our machines Node 20: emit for the older.
    target: 'node20',
    minify: true,
    // The worker supplies @azure/functions-core at run time; it is no package.
    external: ['@azure/functions-core', ...LAZY_PACKAGES],
    logLevel: 'warning',
  };
}

module.exports = { bundleOptions, LAZY_PACKAGES };

if (require.main === module) {
  const appRoot = process.argv[2] ?? process.cwd();
  require('esbuild').buildSync(bundleOptions(appRoot));
}
