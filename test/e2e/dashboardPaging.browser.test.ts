import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';
import { ROOT } from '../helpers/requests';

/**
 * The dashboard's own logic in headless Chromium, against a scripted status API (the page, its
 * script and its style sheet are the built files; only /api/builds… answers are scripted): paging
 * while new pipelines arrive, and how a failure is named. The API is the list's contract
 * (src/functions/buildsList.ts): newest first, `top` per page, a continuation token that is the
 * position after the last row given, by creation time.
 */
jest.setTimeout(120_000);
const CHROMIUM = process.env.BIF_CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN = 'http://dashboard.test';
const ASSETS = join(ROOT, 'dist', 'assets', 'dashboard');
const MIN = 60_000;
const T0 = Date.parse('2026-11-29T00:00:00Z');

interface Line {
  instanceId: string;
  requestId: string;
  runtimeStatus: string;
  createdTime: string;
  statusUri: string;
}
let pipelines: Line[] = [];
let instance: unknown;
let browser: BrowserContext;
let profile: string;

const line = (n: number, runtimeStatus = 'Running'): Line => ({
  instanceId: `bif-p${n}`,
  requestId: `p${n}`,
  runtimeStatus,
  createdTime: new Date(T0 + n * MIN).toISOString(),
  statusUri: `/api/builds/instances/bif-p${n}`,
});

function listAnswer(url: URL) {
  const top = Number(url.searchParams.get('top') ?? 20);
  const after = url.searchParams.get('continuationToken');
  const newestFirst = [...pipelines].sort((a, b) => b.createdTime.localeCompare(a.createdTime));
  const rest = after ? newestFirst.filter((p) => p.createdTime < after) : newestFirst;
  const builds = rest.slice(0, top);
  return rest.length > top ? { builds, continuationToken: builds.at(-1)!.createdTime } : { builds };
}

async function answer(route: Route): Promise<void> {
  const url = new URL(route.request().url());
  const json = (body: unknown) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  if (url.pathname === '/api/builds') return json(listAnswer(url));
  if (url.pathname.startsWith('/api/builds/instances/')) return json(instance);
  if (url.pathname === '/api/dashboard')
    return route.fulfill({ contentType: 'text/html', body: readFileSync(join(ASSETS, 'index.html')) });
  const file = url.pathname.replace('/api/dashboard/assets/', '');
  const type = file.endsWith('.js') ? 'text/javascript' : 'text/css';
  return route.fulfill({ contentType: type, body: readFileSync(join(ASSETS, file)) });
}

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'bif-chromium-paging-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  await browser.route(`${ORIGIN}/**`, answer);
});
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const rows = (page: Page) =>
  page.evaluate<{ id: string; status: string }[]>(`[...document.querySelectorAll('#builds tr')].map((r) => ({
    id: r.getAttribute('data-instance'),
    status: r.querySelector('.badge').textContent,
  }))`);

async function open(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${ORIGIN}/api/dashboard?code=k&refresh=0.25`);
  return page;
}

describe('the dashboard’s list', () => {
  it('shows every pipeline once, with its current status, while newer ones push older ones onto the next page', async () => {
    pipelines = Array.from({ length: 25 }, (_, i) => line(i + 1));
    instance = {
      instanceId: 'bif-p25',
      runtimeStatus: 'Running',
      createdTime: line(25).createdTime,
      lastUpdatedTime: line(25).createdTime,
      output: null,
      pipeline: null,
      regions: [],
      regionsNotShown: 0,
    };
    const page = await open();
    await page.locator('#older:not([hidden])').waitFor({ timeout: 20_000 });
    await page.click('#older');
    await page.waitForFunction(`document.querySelectorAll('#builds tr').length === 25`, undefined, {
      timeout: 20_000,
    });

    pipelines.push(...[26, 27, 28, 29, 30].map((n) => line(n)));
    pipelines[0] = line(1, 'Failed');
    await page.waitForFunction(`document.querySelectorAll('#builds tr').length >= 30`, undefined, {
      timeout: 20_000,
    });
    await page.waitForTimeout(1_000); // a few more polls: the view must stay as it is
    const shown = await rows(page);
    expect(shown.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `bif-p${30 - i}`));
    expect(shown.find((r) => r.id === 'bif-p1')!.status).toBe('Failed');
    await page.close();
  });
});

describe('the dashboard’s detail of a failed pipeline', () => {
  const at = (m: number) => new Date(T0 + m * MIN).toISOString();
  it('names the stage the pipeline itself names, and shows a region whose only pool failed as failed', async () => {
    pipelines = [line(1, 'Failed')];
    instance = {
      instanceId: 'bif-p1',
      runtimeStatus: 'Failed',
      createdTime: at(0),
      lastUpdatedTime: at(60),
      output:
        'Pipeline p1 failed at rollout: 1 of 1 regions failed: westeurope (pool render failed its gate)',
      pipeline: {
        requestId: 'p1',
        stage: 'failed',
        regions: [],
        regionsTotal: 1,
        pools: [],
        poolsTotal: 1,
        startedAt: at(0),
        updatedAt: at(60),
        error: '1 of 1 regions failed: westeurope (pool render failed its gate)',
        timeline: [
          { stage: 'preflight', at: at(0) },
          { stage: 'rollout', at: at(5) },
          { stage: 'retention', at: at(58) },
          { stage: 'failed', at: at(60) },
        ],
      },
      regions: [
        {
          region: 'westeurope',
          stage: 'done',
          replication: { state: 'Completed', progress: 100, attempts: 1 },
          pools: [{ poolId: 'render', state: 'failed', currentNodes: 0, targetNodes: 20 }],
          poolsTotal: 1,
          poolCounts: { failed: 1 },
          updatedAt: at(57),
          timeline: [
            { stage: 'replicating', at: at(5) },
            { stage: 'creating-pools', at: at(35) },
            { stage: 'done', at: at(57) },
          ],
        },
      ],
      regionsNotShown: 0,
    };
    const page = await open();
    const failure = page.locator('[data-failure]');
    await failure.waitFor({ timeout: 20_000 });
    expect(await failure.textContent()).toBe(
      'Failed during rollout: 1 of 1 regions failed: westeurope (pool render failed its gate)',
    );
    const region = page.locator('.region[data-region="westeurope"]');
    expect(await region.getAttribute('data-stage')).toBe('failed');
    expect(await region.locator('h3').textContent()).toBe('westeurope — failed (1 of 1 pools failed)');
    expect(await region.locator('svg.timeline rect[data-stage]').last().getAttribute('class')).toBe('failed');
    const legend = await page.locator('.legend span').allTextContents();
    expect(legend).toEqual(expect.arrayContaining(['done', 'failed', 'other']));
    await page.close();
  });
});
