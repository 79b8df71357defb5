import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequest } from '@azure/functions';
import { dashboardAssetHandler, dashboardHandler, DASHBOARD_DIR } from '../../../src/functions/dashboardHttp';
import { ROOT } from '../../helpers/requests';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the deploy scripts are CommonJS
const { funcIgnore } = require('../../../scripts/funcignore') as {
  funcIgnore(root: string): (relPath: string, isDir: boolean) => boolean;
};

const asset = (file: string, dir?: string) =>
  dashboardAssetHandler(
    new HttpRequest({
      method: 'GET',
      url: `http://127.0.0.1/api/dashboard/assets/${file}`,
      params: { file },
    }),
    undefined,
    dir,
  );

describe('the dashboard’s files', () => {
  it('ship with the app: dist/assets/dashboard is deployed, the sources and test screenshots are not', () => {
    const ignored = funcIgnore(ROOT);
    for (const file of ['index.html', 'dashboard.js', 'dashboard.css'])
      expect({ file, ignored: ignored(`dist/assets/dashboard/${file}`, false) }).toEqual({
        file,
        ignored: false,
      });
    expect(ignored('assets', true)).toBe(true);
    expect(ignored('test-output', true)).toBe(true);
    // Found from the function's folder (dist/functions when compiled, kept by the bundle; src here).
    expect(DASHBOARD_DIR).toBe(join(ROOT, 'src', 'assets', 'dashboard'));
  });

  it('the page loads only what the asset route serves, from this origin', async () => {
    const html = readFileSync(join(ROOT, 'assets', 'dashboard', 'index.html'), 'utf8');
    const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.filter((l) => l !== 'data:,')).toEqual([
      '/api/dashboard/assets/dashboard.css',
      '/api/dashboard/assets/dashboard.js',
    ]);
    const dir = join(ROOT, 'dist', 'assets', 'dashboard');
    for (const link of links.filter((l) => l.startsWith('/api/')))
      expect((await asset(link.split('/').at(-1)!, dir)).status).toBe(200);
  });

  it('serves nothing else from the folder', async () => {
    const dir = join(ROOT, 'dist', 'assets', 'dashboard');
    for (const name of ['index.html', 'dashboard.ts', '..', 'constructor', '__proto__']) {
      const answer = await asset(name, dir);
      expect(answer.status).toBe(404);
      expect((answer.jsonBody as { error: string }).error).toMatch(/serves dashboard\.js, dashboard\.css/);
    }
  });

  it('names the fix when the build did not put the page there', async () => {
    await expect(dashboardHandler(undefined, undefined, '/nonexistent/dashboard')).rejects.toThrow(
      /index\.html is missing from \/nonexistent\/dashboard: run `npm run build`/,
    );
  });
});
