// tsc copies no data files: bring the simulator's scenario JSON next to the compiled code.
const { cpSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
cpSync(join(root, 'src/local/simulator/scenarios'), join(root, 'dist/local/simulator/scenarios'), {
  recursive: true,
});
