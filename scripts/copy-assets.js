// tsc copies no data files: bring the simulator's scenario JSON next to the compiled code, and the
// dashboard's page and style sheet next to its compiled script (dist/assets/dashboard ships with the app;
// src/functions/dashboardHttp.ts serves it from there).
const { cpSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
cpSync(join(root, 'src/local/simulator/scenarios'), join(root, 'dist/local/simulator/scenarios'), {
  recursive: true,
});
for (const file of ['index.html', 'dashboard.css'])
  cpSync(join(root, 'assets/dashboard', file), join(root, 'dist/assets/dashboard', file));
