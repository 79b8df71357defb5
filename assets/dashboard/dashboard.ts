/**
 * The dashboard's script (compiled by assets/dashboard/tsconfig.json into dist/assets/dashboard). It
 * polls the status API with the function key the page was opened with (`?code=`, sent back as the
 * x-functions-key header) and draws each region's timeline. Everything shown is built with
 * textContent and setAttribute, never as markup: request ids, reasons and findings come from users.
 */

// The shapes of the status API (src/domain/status.ts, src/functions/buildsHttp.ts, buildsList.ts).
interface StageMark {
  stage: string;
  at: string;
}
interface BuildLine {
  instanceId: string;
  requestId?: string;
  runtimeStatus?: string;
  createdTime: string;
  stage?: string;
  failure?: string;
  statusUri: string;
}
interface ListAnswer {
  builds: BuildLine[];
  continuationToken?: string;
}
interface PoolLine {
  poolId: string;
  state: string;
  currentNodes: number;
  targetNodes: number;
  errors?: string[];
}
interface RegionStatus {
  region: string;
  stage: string;
  replication: { state: string; progress: number; attempts: number; details?: string };
  pools: PoolLine[];
  poolsTotal: number;
  poolCounts?: Record<string, number>;
  updatedAt: string;
  reason?: string;
  timeline?: StageMark[];
}
interface StatusFinding {
  code: string;
  severity: string;
  path: string;
  message: string;
}
interface PipelineStatus {
  requestId: string;
  stage: string;
  version?: string;
  imageVersionId?: string;
  regions: { name: string; replicaCount: number; capacity: number }[];
  regionsTotal: number;
  pools: { poolId: string; region: string }[];
  poolsTotal: number;
  startedAt: string;
  updatedAt: string;
  error?: string;
  timeline?: StageMark[];
  findings?: StatusFinding[];
  findingsTotal?: number;
}
interface InstanceAnswer {
  instanceId: string;
  runtimeStatus: string;
  createdTime: string;
  lastUpdatedTime: string;
  output: unknown;
  pipeline: PipelineStatus | null;
  regions: RegionStatus[];
  regionsNotShown: number;
}
type Child = Node | string | undefined;

const query = new URLSearchParams(location.search);
const functionKey = query.get('code') ?? '';
const refreshMs = readRefresh(query.get('refresh'));
/**
 * Paging: `pages` is how many pages of the list the user asked to see (1 + each "Older" click). Every
 * poll fetches them all again from the newest, each from the token the page before it gave: rows
 * keep a current status, and a pipeline pushed from one page onto the next by newer ones is neither
 * lost nor shown twice. `olderToken` is the token after the last page shown.
 */
const view: { selected: string | null; pages: number; olderToken?: string } = {
  selected: query.get('instance'),
  pages: 1,
};
const TERMINAL = ['Completed', 'Failed', 'Terminated', 'Canceled'];

/** `?refresh=` seconds between polls of the chosen pipeline (0.25 to 300, 5 without it); the list every 6th. */
function readRefresh(text: string | null): number {
  if (text === null) return 5_000;
  const seconds = Number(text);
  return Number.isFinite(seconds) ? Math.min(300, Math.max(0.25, seconds)) * 1_000 : 5_000;
}

function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== undefined) node.append(child);
  return node;
}

function svg(tag: string, attrs: Record<string, string>, ...children: Node[]): SVGElement {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

async function api<T>(path: string): Promise<T> {
  // Not followed: behind App Service Authentication an expired session answers 302 to the Entra sign-in
  // page, which the CSP's connect-src blocks; a fetch that followed it would fail as a "network error".
  const response = await fetch(path, {
    headers: { 'x-functions-key': functionKey },
    cache: 'no-store',
    redirect: 'manual',
  });
  if (response.type === 'opaqueredirect' || response.type === 'opaque')
    throw new Error('Your sign-in session has expired: sign in again (reload the page).');
  if (response.status === 401)
    throw new Error('The status API refused the key: open the dashboard with ?code=<function key>.');
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok)
    throw new Error(`${path} answered ${response.status}: ${body.error ?? 'no reason given'}`);
  return body;
}

function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '';
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1_000)} s`;
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

function showProblem(message: string | undefined): void {
  const box = document.getElementById('problem')!;
  box.hidden = message === undefined;
  box.textContent = message ?? '';
}

/**
 * The list changes when a build starts or ends; the chosen pipeline changes all the time. So the list is
 * read every LIST_EVERY polls (30 s at the default 5 s) and the chosen pipeline on every poll: the list
 * is the costly call (it reads the task hub's instance list).
 */
const LIST_EVERY = 6;
let pollsSinceList = LIST_EVERY;
let lastList: BuildLine[] | undefined;

/** One poll: the list when due, then the chosen pipeline (the newest when none is chosen). */
async function refresh(options: { list?: boolean } = {}): Promise<void> {
  try {
    if (options.list || !lastList || ++pollsSinceList >= LIST_EVERY) {
      lastList = await listPages();
      pollsSinceList = 0;
    }
    const builds = lastList;
    view.selected ??= builds[0]?.instanceId ?? null;
    renderList(builds);
    if (view.selected)
      renderDetail(await api<InstanceAnswer>(`/api/builds/instances/${encodeURIComponent(view.selected)}`));
    document.getElementById('refreshed')!.textContent = `updated ${new Date().toLocaleTimeString()}`;
    showProblem(undefined);
  } catch (error) {
    showProblem((error as Error).message);
  }
}

/** The first `view.pages` pages of the list, newest first, each pipeline once. */
async function listPages(): Promise<BuildLine[]> {
  const seen = new Map<string, BuildLine>();
  let token: string | undefined;
  for (let page = 0; page < view.pages; page++) {
    const more = token ? `&continuationToken=${encodeURIComponent(token)}` : '';
    const answer = await api<ListAnswer>(`/api/builds?top=20${more}`);
    for (const b of answer.builds) if (!seen.has(b.instanceId)) seen.set(b.instanceId, b);
    token = answer.continuationToken;
    if (!token) break;
  }
  view.olderToken = token;
  return [...seen.values()];
}

async function loadOlder(): Promise<void> {
  if (!view.olderToken) return;
  view.pages += 1;
  await refresh({ list: true });
}

function choose(instanceId: string): void {
  view.selected = instanceId;
  const url = new URL(location.href);
  url.searchParams.set('instance', instanceId);
  history.replaceState(null, '', url);
  void refresh();
}

function badge(status: string | undefined): HTMLElement {
  return el('span', { class: `badge ${status ?? ''}` }, status ?? 'unknown');
}

function renderList(builds: BuildLine[]): void {
  const rows = builds.map((b) => {
    const row = el(
      'tr',
      { 'data-instance': b.instanceId, class: b.instanceId === view.selected ? 'selected' : '' },
      el(
        'td',
        {},
        b.requestId ?? b.instanceId,
        b.failure ? el('div', { class: 'muted' }, b.failure) : undefined,
      ),
      el('td', {}, badge(b.runtimeStatus), b.stage ? el('div', { class: 'muted' }, b.stage) : undefined),
      el('td', {}, when(b.createdTime)),
    );
    row.addEventListener('click', () => choose(b.instanceId));
    return row;
  });
  document.getElementById('builds')!.replaceChildren(...rows);
  document.getElementById('older')!.hidden = !view.olderToken;
}

/** Which part of a rollout a stage belongs to; stages this page does not know are drawn as they are named. */
function phaseOf(stage: string): string {
  if (/^(preflight|snapshot|gallery|version)$/.test(stage)) return 'build';
  if (stage === 'rollout') return 'rollout';
  if (stage === 'retention') return 'retirement';
  if (/^(replicating|replicated)$/.test(stage)) return 'replication';
  if (/retry/.test(stage)) return 'retry';
  if (/pool|allocat/.test(stage)) return 'pools';
  if (/gate|gating|smoke|health/.test(stage)) return 'gate';
  if (/cutover|cutting|migrat|wave|job/.test(stage)) return 'cutover';
  if (/retir|drain/.test(stage)) return 'retirement';
  if (/^(done|completed)$/.test(stage)) return 'done';
  if (/fail/.test(stage)) return 'failed';
  return 'other';
}

interface Axis {
  fromMs: number;
  toMs: number;
}

/** One bar per stage, from when it began to when the next began (the last one to `endMs`). */
function timelineSvg(marks: StageMark[], endMs: number, axis: Axis): SVGElement {
  const span = Math.max(1, axis.toMs - axis.fromMs);
  const x = (ms: number) => ((ms - axis.fromMs) / span) * 1000;
  const bars = marks.map((mark, i) => {
    const start = Date.parse(mark.at);
    const stop = i + 1 < marks.length ? Date.parse(marks[i + 1]!.at) : endMs;
    const width = Math.max(4, x(stop) - x(start));
    const label = `${mark.stage} from ${when(mark.at)} (${duration(stop - start)})`;
    const attrs = {
      x: String(x(start)),
      y: '2',
      width: String(width),
      height: '20',
      class: phaseOf(mark.stage),
    };
    return svg(
      'rect',
      { ...attrs, 'data-stage': mark.stage },
      svg('title', {}, document.createTextNode(label)),
    );
  });
  const track = svg('rect', { x: '0', y: '2', width: '1000', height: '20', class: 'track' });
  return svg(
    'svg',
    { class: 'timeline', viewBox: '0 0 1000 24', preserveAspectRatio: 'none' },
    track,
    ...bars,
  );
}

function marksLine(marks: StageMark[]): HTMLElement {
  return el('p', { class: 'marks' }, marks.map((m) => `${m.stage} ${when(m.at).slice(11)}`).join(' → '));
}

function poolsList(pools: PoolLine[], total: number): HTMLElement {
  const items = pools.map((p) =>
    el(
      'li',
      { 'data-pool': p.poolId },
      `${p.poolId}: ${p.state}, ${p.currentNodes}/${p.targetNodes} nodes`,
      p.errors?.length ? el('span', { class: 'muted' }, ` (${p.errors.join(', ')})`) : undefined,
    ),
  );
  const more =
    total > pools.length ? el('li', { class: 'muted' }, `and ${total - pools.length} more pools`) : undefined;
  return el('ul', {}, ...items, more);
}

/**
 * A region whose pools failed ends at "done" in its own status (only retirement problems make it
 * "failed"): the page shows it failed, with how many pools failed, and ends its bar in red.
 */
function regionStageOf(region: RegionStatus): { stage: string; note: string } {
  const failedPools = region.poolCounts?.failed ?? region.pools.filter((p) => p.state === 'failed').length;
  const note = failedPools ? ` (${failedPools} of ${region.poolsTotal} pools failed)` : '';
  return { stage: region.stage === 'done' && failedPools > 0 ? 'failed' : region.stage, note };
}

function renderRegion(region: RegionStatus, axis: Axis, endMs: number): HTMLElement {
  const { stage, note } = regionStageOf(region);
  const given = region.timeline ?? [{ stage: region.stage, at: region.updatedAt }];
  const marks =
    stage !== region.stage && given.at(-1)?.stage === region.stage
      ? [...given.slice(0, -1), { ...given.at(-1)!, stage }]
      : given;
  const finished = stage === 'done' || stage === 'failed';
  const { replication } = region;
  const attempts = replication.attempts > 1 ? `, attempt ${replication.attempts}` : '';
  return el(
    'div',
    { class: 'region', 'data-region': region.region, 'data-stage': stage },
    el('h3', {}, `${region.region} — ${stage}${note}`),
    timelineSvg(marks, finished ? Date.parse(marks.at(-1)!.at) : endMs, axis),
    marksLine(marks),
    el('p', {}, `Replication: ${replication.state}, ${replication.progress}%${attempts}`),
    region.reason ? el('p', { class: 'failure' }, `Failed: ${region.reason}`) : undefined,
    poolsList(region.pools, region.poolsTotal),
  );
}

/** What went wrong, in the words the pipeline used (a terminated one only has the operator's reason). */
function failureText(answer: InstanceAnswer): string | undefined {
  const reason = answer.pipeline?.error ?? (typeof answer.output === 'string' ? answer.output : undefined);
  if (answer.runtimeStatus === 'Terminated') return `Stopped by an operator: ${reason ?? 'no reason given'}`;
  if (answer.runtimeStatus !== 'Failed') return undefined;
  // The stage the pipeline itself names ("Pipeline x failed at rollout: …"), never one guessed from its
  // timeline: a rollout shortfall is only known after retention ran, so the stage before "failed" can
  // be retention when the failure was the rollout's.
  const output = typeof answer.output === 'string' ? answer.output : '';
  const at = /\bfailed at ([a-z-]+):/.exec(output)?.[1];
  return `Failed${at ? ` during ${at}` : ''}: ${reason ?? 'no reason given'}`;
}

function planSection(pipeline: PipelineStatus): HTMLElement {
  const regions = pipeline.regions.map((r) =>
    el('li', {}, `${r.name}: ${r.replicaCount} replicas for ${r.capacity} VMs`),
  );
  const pools = pipeline.pools.map((p) => el('li', {}, `${p.poolId} in ${p.region}`));
  const findings = (pipeline.findings ?? []).map((f) =>
    el('li', { class: f.severity }, `${f.severity} ${f.code} at ${f.path || '(request)'}: ${f.message}`),
  );
  const moreFindings = (pipeline.findingsTotal ?? 0) - findings.length;
  return el(
    'div',
    { class: 'plan' },
    el('h2', {}, 'Plan'),
    el('p', {}, `Image version ${pipeline.version ?? '(not chosen yet)'}`),
    el('h3', {}, `Regions (${pipeline.regionsTotal})`),
    el('ul', {}, ...regions),
    el('h3', {}, `Pools (${pipeline.poolsTotal})`),
    el('ul', {}, ...pools),
    el('h3', {}, `Findings (${pipeline.findingsTotal ?? findings.length})`),
    el(
      'ul',
      { class: 'findings' },
      ...findings,
      moreFindings > 0 ? el('li', {}, `and ${moreFindings} more`) : undefined,
    ),
  );
}

function legend(): HTMLElement {
  const names = [
    'build',
    'rollout',
    'replication',
    'retry',
    'pools',
    'gate',
    'cutover',
    'retirement',
    'done',
    'failed',
    'other',
  ];
  return el('p', { class: 'legend' }, ...names.map((n) => el('span', {}, el('i', { class: n }), n)));
}

/** The shared time axis: from the pipeline's start to the latest moment anything reported. */
function axisOf(answer: InstanceAnswer): { axis: Axis; endMs: number } {
  const times = [
    answer.createdTime,
    answer.lastUpdatedTime,
    answer.pipeline?.startedAt,
    answer.pipeline?.updatedAt,
  ]
    .concat(answer.regions.flatMap((r) => [r.updatedAt, ...(r.timeline ?? []).map((m) => m.at)]))
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t))
    .filter((ms) => Number.isFinite(ms));
  const fromMs = Math.min(...times);
  const endMs = Math.max(...times);
  return { axis: { fromMs, toMs: endMs }, endMs };
}

function renderDetail(answer: InstanceAnswer): void {
  const pipeline = answer.pipeline;
  const { axis, endMs } = axisOf(answer);
  const failure = failureText(answer);
  const ended = TERMINAL.includes(answer.runtimeStatus);
  const marks = pipeline?.timeline ?? [];
  const detail = el(
    'section',
    { id: 'detail', 'data-instance': answer.instanceId, 'data-runtime-status': answer.runtimeStatus },
    el('h2', {}, pipeline?.requestId ?? answer.instanceId, ' ', badge(answer.runtimeStatus)),
    el(
      'p',
      { class: 'muted' },
      `Started ${when(answer.createdTime)}, last change ${when(answer.lastUpdatedTime)}`,
    ),
    failure ? el('p', { class: 'failure', 'data-failure': '' }, failure) : undefined,
    marks.length ? timelineSvg(marks, ended ? Date.parse(marks.at(-1)!.at) : endMs, axis) : undefined,
    marks.length ? marksLine(marks) : undefined,
    el('h2', {}, 'Regions'),
    legend(),
    ...answer.regions.map((r) => renderRegion(r, axis, endMs)),
    answer.regionsNotShown > 0
      ? el('p', { class: 'muted' }, `and ${answer.regionsNotShown} more regions`)
      : undefined,
    pipeline ? planSection(pipeline) : undefined,
  );
  document.getElementById('detail')!.replaceWith(detail);
}

async function poll(): Promise<void> {
  await refresh();
  setTimeout(() => void poll(), refreshMs);
}

document.getElementById('older')!.addEventListener('click', () => void loadOlder());
if (!functionKey) showProblem('Open the dashboard with ?code=<function key>: the status API needs it.');
void poll();
