import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startTestWorld, type TestWorld } from '../helpers/world';
import { ROOT, exampleInput } from '../helpers/requests';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { killGroup, runBif } from '../reliability/bifProcess';

/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core, against the
 * local world (the compiled app in the embedded host, the simulator, Azurite, the broker). CI installs
 * Chromium (.ci/run); without it this test fails and says so, it never skips.
 */
jest.setTimeout(240_000);
const CHROMIUM = process.env.BIF_CHROMIUM ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'test-output', 'dashboard');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const XSS = '<img src=x onerror="window.__xss=1">';

let world: TestWorld;
let browser: BrowserContext;
let profile: string;
/** Every console error and uncaught page error, from every page: any one fails the test that made it. */
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium; .ci/run does) or point BIF_CHROMIUM at a Chromium binary.`,
    );
  mkdirSync(OUT, { recursive: true });
  world = await startTestWorld();
  await world.startHost();
  profile = mkdtempSync(join(tmpdir(), 'bif-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});
afterAll(async () => {
  await browser?.close();
  await world?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});
beforeEach(() => {
  pageErrors.length = 0;
});
afterEach(() => {
  expect(pageErrors).toEqual([]);
});

async function openDashboard(query = ''): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(`page: ${e.message}`));
  const key = world.keys().functionKeys.default;
  await page.goto(`${world.host!.origin}/api/dashboard?code=${encodeURIComponent(key)}&refresh=0.25${query}`);
  return page;
}

interface PageView {
  instance: string | null;
  runtimeStatus: string | null;
  regions: { region: string; stage: string; bars: number }[];
}

/**
 * What the page shows now: the pipeline's runtime status and each region's stage. Runs in the page (a
 * string: the tests are compiled without the DOM's types).
 */
const READ_PAGE = `(() => {
  const detail = document.getElementById('detail');
  return {
    instance: detail.getAttribute('data-instance'),
    runtimeStatus: detail.getAttribute('data-runtime-status'),
    regions: [...document.querySelectorAll('.region')].map((r) => ({
      region: r.getAttribute('data-region'),
      stage: r.getAttribute('data-stage'),
      bars: r.querySelectorAll('svg.timeline rect[data-stage]').length,
    })),
  };
})()`;

const readPage = (page: Page) => page.evaluate<PageView>(READ_PAGE);

describe('the dashboard in headless Chromium', () => {
  it('follows a pipeline live: every region’s timeline advances and the pipeline ends Completed', async () => {
    const request = exampleInput('three-regions-3000-nodes');
    const instanceId = pipelineInstanceId(request.requestId);
    await world.enqueue(JSON.stringify(request));
    // Opened once the queue trigger started it: before, its status is a 404, which Chromium logs as an error.
    await world.waitForStatus(instanceId, ['Pending', 'Running', 'Completed', 'Failed']);
    const page = await openDashboard(`&instance=${encodeURIComponent(instanceId)}`);
    const seen = new Map<string, string[]>();
    let last: PageView | undefined;
    const deadline = Date.now() + 200_000;
    while (Date.now() < deadline) {
      last = await readPage(page);
      for (const { region, stage } of last.regions) {
        const stages = seen.get(region) ?? [];
        if (stages.at(-1) !== stage) stages.push(stage);
        seen.set(region, stages);
      }
      if (last.runtimeStatus === 'Completed' || last.runtimeStatus === 'Failed') break;
      await page.waitForTimeout(100);
    }
    await page.screenshot({ path: join(OUT, 'completed.png'), fullPage: true });
    expect(last?.runtimeStatus).toBe('Completed');
    expect([...seen.keys()].sort()).toEqual(['eastus', 'northeurope', 'southeastasia', 'westeurope']);
    for (const [region, stages] of seen) {
      // Seen live: at least two states of each region, ending done.
      expect({ region, states: stages.length >= 2 }).toEqual({ region, states: true });
      expect({ region, last: stages.at(-1) }).toEqual({ region, last: 'done' });
    }
    // The finished timeline has a bar per stage each region went through.
    for (const region of last!.regions) expect(region.bars).toBeGreaterThanOrEqual(4);
    expect(readFileSync(join(OUT, 'completed.png')).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it('shows a reason holding markup as text: no element is made from it, no script runs', async () => {
    const request = exampleInput('one-region-small');
    request.requestId = 'dashboard-xss-probe';
    const instanceId = pipelineInstanceId(request.requestId);
    const submitted = await world.postJson('/api/builds', request);
    expect(submitted.status).toBe(202);
    const path = `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}/terminate?reason=${encodeURIComponent(XSS)}`;
    const terminate = await world.postJson(path, '');
    expect(terminate.status).toBe(202);
    await world.waitForStatus(instanceId, ['Terminated']);

    const page = await openDashboard(`&instance=${encodeURIComponent(instanceId)}`);
    const failure = page.locator('[data-failure]');
    await failure.waitFor({ timeout: 20_000 });
    expect(await failure.textContent()).toBe(`Stopped by an operator: ${XSS}`);
    const row = page.locator(`tr[data-instance="${instanceId}"]`);
    expect(await row.textContent()).toContain(XSS);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.__xss')).toBeUndefined();
    await page.close();
  });

  it('says in plain words where a refused pipeline stopped, with the findings that refused it', async () => {
    const request = exampleInput('one-region-small');
    request.requestId = 'dashboard-refused';
    const source = request.source as { id: string };
    source.id = source.id.replace(/virtualMachines\/[^/]+$/, 'virtualMachines/vm-that-does-not-exist');
    const instanceId = pipelineInstanceId(request.requestId);
    expect((await world.postJson('/api/builds', request)).status).toBe(202);
    await world.waitForStatus(instanceId, ['Failed', 'Completed']);

    const page = await openDashboard(`&instance=${encodeURIComponent(instanceId)}`);
    const failure = page.locator('[data-failure]');
    await failure.waitFor({ timeout: 20_000 });
    expect(await failure.textContent()).toMatch(
      /^Failed during preflight: preflight found \d+ problem\(s\): SOURCE_NOT_FOUND at source$/,
    );
    const findings = await page.locator('.findings li.error').allTextContents();
    expect(findings.join('\n')).toMatch(/vm-that-does-not-exist/);
    await page.screenshot({ path: join(OUT, 'refused.png'), fullPage: true });
    await page.close();
  });
});

describe('the dashboard’s doors over the wire', () => {
  it('serves the page only with the function key, with a CSP that allows no inline script', async () => {
    expect((await world.fetchRaw('/api/dashboard')).status).toBe(401);
    const key = world.keys().functionKeys.default;
    const page = await world.fetchRaw(`/api/dashboard?code=${encodeURIComponent(key)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).not.toContain(key);
    expect(html).not.toMatch(/<script>|<style>| on[a-z]+=/i);
    // The script and style sheet carry no data and no key: anonymous, and nothing else is served.
    const script = await world.fetchRaw('/api/dashboard/assets/dashboard.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await world.fetchRaw('/api/dashboard/assets/index.html')).status).toBe(404);
    expect((await world.fetchRaw('/api/dashboard/assets/..%2Fhost.json')).status).not.toBe(200);
  });

  it('says "sign in again" when an expired Easy Auth session redirects its status calls to Entra sign-in', async () => {
    const page = await openDashboard();
    await page.locator('#refreshed', { hasText: 'updated' }).waitFor({ timeout: 20_000 });
    // What App Service Authentication answers a call without a valid session cookie.
    await page.route(/\/api\/builds/, (route) =>
      route.fulfill({
        status: 302,
        headers: { Location: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/authorize?client_id=x' },
      }),
    );
    await page.locator('#problem', { hasText: 'sign in again' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#problem').textContent()).toMatch(
      /session has expired: sign in again \(reload/,
    );
    await page.close();
  });

  it('lists pipelines newest first a page at a time through the Durable client and the host’s list API', async () => {
    expect((await world.fetchRaw('/api/builds')).status).toBe(401);
    const seen: string[] = [];
    let path = '/api/builds?top=1';
    for (let i = 0; i < 10; i++) {
      const { status, body } = await world.getJson(path);
      expect(status).toBe(200);
      seen.push(...body.builds.map((b: { instanceId: string }) => b.instanceId));
      if (!body.continuationToken) break;
      path = body.nextLink;
    }
    // This file's pipelines, newest first; no ledger, region child or other internal instance.
    expect(seen).toEqual([
      pipelineInstanceId('dashboard-refused'),
      pipelineInstanceId('dashboard-xss-probe'),
      pipelineInstanceId('render-global-2026-11-28'),
    ]);
    const bad = await world.getJson('/api/builds?top=500');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/top must be a whole number from 1 to 100/);
  });
});

describe('npm start', () => {
  it('prints the dashboard’s URL, and the page opens from it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'bif-start-dashboard-'));
    const run = runBif(cwd, ['start', '--port', '0', '--no-submit']);
    try {
      let url: string | undefined;
      const deadline = Date.now() + 60_000;
      while (!url && Date.now() < deadline && run.child.exitCode === null) {
        url = /^ {2}dashboard +(http:\/\/127\.0\.0\.1:\d+\/api\/dashboard\?code=\S+)$/m.exec(
          run.output(),
        )?.[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(url ?? run.output()).toMatch(/^http:\/\/127\.0\.0\.1:/);
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => pageErrors.push(`page: ${e.message}`));
      await page.goto(url!);
      await page.locator('#refreshed', { hasText: 'updated' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('#problem').isHidden()).toBe(true);
      await page.close();
    } finally {
      // Ctrl-C, as a user stops it; the whole group if it does not stop.
      process.kill(run.child.pid!, 'SIGINT');
      const stopped = await Promise.race([
        run.exited,
        new Promise((r) => setTimeout(() => r('late'), 15_000)),
      ]);
      if (stopped === 'late') await killGroup(run);
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
