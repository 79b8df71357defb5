import { conflictOf, servedHttpFunctions } from '../../../src/local/host/httpRouteConflicts';
import type { Registration } from '../../../src/local/host/functionsCore';
import { execFileSync } from 'node:child_process';
import { LOAD_SETTINGS } from '../../helpers/appLoad';
import { ROOT } from '../../helpers/requests';

const http = (name: string, route: string | undefined, methods?: string[]): Registration => ({
  name,
  bindings: {},
  handler: () => undefined,
  trigger: {
    name: 'request',
    type: 'httpTrigger',
    direction: 'in',
    route,
    methods,
  } as Registration['trigger'],
});

describe('HTTP route conflicts, as the Functions host decides them', () => {
  it('puts the later of two functions on one route with a method in common in error, and serves the rest', () => {
    const lines: string[] = [];
    const served = servedHttpFunctions(
      [
        http('submit', 'builds', ['POST']),
        http('list', '/Builds/', ['get', 'POST']),
        http('all', 'builds'),
        http('status', 'builds/{id}', ['GET']),
        http('read', 'builds', ['GET']),
      ],
      (l) => lines.push(l),
    );
    expect(served.map((f) => f.name)).toEqual(['submit', 'status', 'read']);
    expect(lines).toEqual([
      "The 'list' function is in error: The route specified conflicts with the route defined by function 'submit'.",
      "The 'all' function is in error: The route specified conflicts with the route defined by function 'submit'.",
    ]);
  });

  it('takes a function without a route as routed by its name', () => {
    expect(conflictOf(http('plan', undefined, ['POST']), [http('other', 'PLAN', ['POST'])])).toMatch(
      /'plan' function is in error/,
    );
  });

  it('the app registers each route template once, whatever the methods (stricter than the host)', () => {
    // Reports from Node v4 apps in Azure say a second function on a template is refused even with other
    // methods; one function per template works under either reading.
    const script = `
      require(${JSON.stringify(`${ROOT}/dist/local/host/functionsCore.js`)}).installFunctionsCore();
      for (const f of require(${JSON.stringify(`${ROOT}/dist/local/host/appEntry.js`)}).appEntryFiles(${JSON.stringify(ROOT)})) require(f);
      const { registrations } = require(${JSON.stringify(`${ROOT}/dist/local/host/functionsCore.js`)});
      process.stdout.write(JSON.stringify([...registrations.values()].filter((f) => f.trigger.type === 'httpTrigger').map((f) => String(f.trigger.route ?? f.name).replace(/^\\/+|\\/+$/g, '').toLowerCase())));`;
    const routes = JSON.parse(
      execFileSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...LOAD_SETTINGS },
      }),
    ) as string[];
    expect(routes.length).toBeGreaterThan(3);
    expect(routes.filter((r, i) => routes.indexOf(r) !== i)).toEqual([]);
  });
});
