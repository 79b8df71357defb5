import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

/**
 * GET /api/dashboard: the live dashboard, a static page that reads the status API from the browser.
 * Its files ship with the app in dist/assets/dashboard (scripts/copy-assets.js; the page's script is
 * compiled from assets/dashboard/dashboard.ts), found from this file's folder, which the bundle keeps.
 */
export const DASHBOARD_DIR = join(__dirname, '..', 'assets', 'dashboard');

/**
 * No inline script or style, no other origin: data shown on the page (request ids, reasons, findings)
 * comes from user input, and even a rendering slip cannot run it. The page is framed by nobody.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page's own files: nothing else is served from the folder. */
const ASSETS: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

const cache = new Map<string, string>();

function readAsset(name: string, dir: string): string {
  const path = join(dir, name);
  let text = cache.get(path);
  if (text === undefined) {
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new Error(
        `The dashboard's ${name} is missing from ${dir}: run \`npm run build\` (scripts/copy-assets.js puts it there).`,
      );
    }
    cache.set(path, text);
  }
  return text;
}

/** Headers every dashboard answer carries; the page's URL holds the function key, so no Referer leaves it. */
function headers(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': DASHBOARD_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

/** The page itself, behind the function key like every other route. */
export async function dashboardHandler(
  _request?: HttpRequest,
  _context?: unknown,
  dir: string = DASHBOARD_DIR,
): Promise<HttpResponseInit> {
  return { status: 200, headers: headers('text/html; charset=utf-8'), body: readAsset('index.html', dir) };
}

/**
 * The page's script and style sheet. Anonymous: a `<script src>` cannot send the key (only `?code=`
 * in its URL would, and the page never writes the key into markup); they are the same public code as
 * the repository's and carry no data. Every call for data needs the key.
 */
export async function dashboardAssetHandler(
  request: HttpRequest,
  _context?: unknown,
  dir: string = DASHBOARD_DIR,
): Promise<HttpResponseInit> {
  const name = request.params.file ?? '';
  const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!type)
    return {
      status: 404,
      jsonBody: {
        error: `The dashboard has no file "${name.slice(0, 80)}"; it serves ${Object.keys(ASSETS).join(', ')}.`,
      },
    };
  return { status: 200, headers: headers(type), body: readAsset(name, dir) };
}

app.http('dashboard', {
  route: 'dashboard',
  methods: ['GET'],
  authLevel: 'function',
  handler: (request, context) => dashboardHandler(request, context),
});
app.http('dashboardAsset', {
  route: 'dashboard/assets/{file}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request, context) => dashboardAssetHandler(request, context),
});
