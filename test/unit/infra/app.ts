import { spawnSync } from 'node:child_process';
import { ROOT } from '../../helpers/requests';

/**
 * The functions the compiled app registers, name → trigger type, read by loading dist/ the way the
 * Functions Node worker does (through the embedded host's @azure/functions-core stand-in).
 * This is what `azd deploy` puts in the Function App.
 */
export function registeredFunctions(): Map<string, string> {
  const listing = spawnSync(
    process.execPath,
    [
      '-e',
      "require('./dist/local/host/functionsCore').installFunctionsCore(); require('./dist/functions/index.js'); const r = require('./dist/local/host/functionsCore').registrations; console.log(JSON.stringify([...r.values()].map(f => [f.name, f.trigger.type])))",
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, BIF_SERVICEBUS__fullyQualifiedNamespace: 'x.servicebus.windows.net' },
    },
  );
  if (listing.status !== 0 || listing.stderr !== '')
    throw new Error(`Loading the compiled app failed (run npm run build first): ${listing.stderr}`);
  return new Map(JSON.parse(listing.stdout) as [string, string][]);
}
