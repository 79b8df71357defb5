import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { ROOT } from '../helpers/requests';
import type { RecordedRequest } from '../../src/local/simulator/recorder';
import { existsSync } from 'node:fs';
import {
  BIF,
  hostOf,
  killGroup,
  noProcessesLeft,
  processesOf,
  runBif,
  sleep,
  functionKeyHeaders,
  type BifRun,
} from './bifProcess';
import { spawnSync } from 'node:child_process';

/**
 * The local world survives a crash the way Azure does: `bif start` (what `npm start` runs) is
 * killed with SIGKILL — its whole process group — during snapshots, during replication and during
 * pool allocation, and each time started again the way the README says. Every pipeline completes,
 * no Azure resource is created twice, every event arrives once, and nothing it started is left
 * running. Prints the restart-to-resume figures.
 */
jest.setTimeout(120_000);

const SPEED = '300'; // 1 real second = 5 simulated minutes: each kill point lasts long enough to hit
const START = ['start', '--port', '0', '--speed', SPEED];
const GLOBAL = 'render-global-2026-11-28';
const SMALL = 'render-small-2026-11-28';

type View = {
  runtimeStatus?: string;
  pipeline?: { stage?: string };
  regions?: {
    replication?: { state?: string; progress?: number };
    pools?: { allocationState?: string }[];
  }[];
};
const POINTS: [string, (v: View) => boolean][] = [
  ['during snapshots', (v) => v.pipeline?.stage === 'snapshot'],
  [
    'during replication',
    (v) =>
      (v.regions ?? []).some(
        (r) => r.replication?.state === 'Replicating' && (r.replication.progress ?? 0) > 0,
      ),
  ],
  [
    'during pool allocation',
    (v) => (v.regions ?? []).some((r) => (r.pools ?? []).some((p) => p.allocationState === 'resizing')),
  ],
];

let dir = '';
let run: BifRun | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  if (run && run.child.exitCode === null) await killGroup(run);
  for (const cleanup of cleanups) await cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A one-shot `bif` command in `cwd`: its exit code and output. */
function bif(cwd: string, args: string[]): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [BIF, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

async function view(origin: string, id: string): Promise<View | undefined> {
  const response = await fetch(`${origin}/api/builds/${id}`, { headers: functionKeyHeaders(dir) });
  return response.status === 200 ? ((await response.json()) as View) : undefined;
}

async function reach(origin: string, id: string, probe: (v: View) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  let last: View | undefined;
  while (Date.now() < deadline) {
    last = await view(origin, id);
    if (last && probe(last)) return;
    await sleep(30);
  }
  throw new Error(`never reached the kill point "${what}": ${JSON.stringify(last)}`);
}

function recordedRequests(): RecordedRequest[] {
  return readFileSync(join(dir, '.bif', 'simulator-requests.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RecordedRequest);
}

/** Real ms from the restart until the resumed world's first call to the simulated cloud. */
async function firstCallAfter(seq: number, since: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const next = recordedRequests().find((r) => r.seq > seq && r.service !== 'control');
    if (next) return next.realTimeMs - since;
    await sleep(20);
  }
  throw new Error('the restarted world made no call to the simulator within 30 s');
}

function simGet<T>(url: string): Promise<T> {
  const ca = readFileSync(join(dir, '.bif', 'simulator-ca.pem'), 'utf8');
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text) as T));
    })
      .on('error', reject)
      .end();
  });
}

/** kill -9 of the whole world at each point, started again each time: the restart figures. */
async function crashAtEachPoint(first: BifRun, firstOrigin: string) {
  let origin = firstOrigin;
  let current = first;
  const figures: { point: string; hostUpMs: number; firstCallMs: number }[] = [];
  for (const [point, probe] of POINTS) {
    await reach(origin, GLOBAL, probe, point);
    await killGroup(current);
    expect(await noProcessesLeft(dir)).toEqual([]);

    const seq = recordedRequests().at(-1)?.seq ?? 0;
    current = run = runBif(dir, START);
    origin = await hostOf(dir, current);
    const hostUpMs = Date.now() - current.spawnedAt;
    figures.push({ point, hostUpMs, firstCallMs: await firstCallAfter(seq, current.spawnedAt) });
  }
  return { run: current, origin, figures };
}

/** The build's status once it ended, or as it stood after a minute. */
async function finalStatus(origin: string, id: string): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  let last = await view(origin, id);
  while (
    !['Completed', 'Failed', 'Terminated'].includes(last?.runtimeStatus ?? '') &&
    Date.now() < deadline
  ) {
    await sleep(200);
    last = await view(origin, id);
  }
  return last?.runtimeStatus;
}

/** No duplicate writes across the four runs of the world; returns the writes answered 200. */
async function expectNoDuplicateWrites(world: BifRun): Promise<number> {
  // The simulator's request record spans all four runs of the world.
  const armUrl = /simulator\s+(https:\/\/\S+)/.exec(world.output())?.[1];
  expect(armUrl).toBeDefined();
  const { requests } = await simGet<{ requests: RecordedRequest[] }>(`${armUrl}/_sim/requests`);
  // At most one creating or deleting write (201/202) per resource. (Exactly one is not a rule: a kill
  // can land after the simulated cloud applied a write and before its answer left, as in Azure, and
  // the resumed activity's retry is then answered 200 / 409 PoolExists.)
  const writes = new Map<string, number[]>();
  for (const r of requests) {
    if (r.service === 'control' || r.kind !== 'write' || r.status < 200 || r.status > 299) continue;
    const key = `${r.method} ${r.account ?? ''}${r.path.split('?')[0]}`.toLowerCase();
    writes.set(key, [...(writes.get(key) ?? []), r.status]);
  }
  const changes = (key: string) => (writes.get(key) ?? []).filter((s) => s === 201 || s === 202).length;
  const keys = [...writes.keys()];
  expect(keys.filter((k) => !k.endsWith('/pools') && changes(k) > 1)).toEqual([]);
  expect(keys.filter((k) => /^put .*\/snapshots\//.test(k))).toHaveLength(4); // os + data disk, two requests
  expect(keys.filter((k) => /^delete .*\/snapshots\//.test(k))).toHaveLength(4); // cleaned up after publishing
  expect(
    keys
      .filter((k) => /^put .*\/versions\//.test(k))
      .map((k) => k.split('/').at(-1))
      .sort(),
  ).toEqual(['1.0.0', '1.4.0']);
  // Batch creates pools with POST /pools: never more than the pools planned per account, and each exists.
  expect(changes('post batchrenderweu/pools')).toBeLessThanOrEqual(2); // render-weu-next, render-1-4-0
  expect(changes('post batchrendereus/pools')).toBeLessThanOrEqual(1);
  expect(changes('post batchrendersea/pools')).toBeLessThanOrEqual(1);
  const state = await simGet<{ batchAccounts: Record<string, { pools: Record<string, unknown> }> }>(
    `${armUrl}/_sim/state`,
  );
  const pools = Object.values(state.batchAccounts).flatMap((a) => Object.keys(a.pools));
  expect(pools.sort()).toEqual(
    expect.arrayContaining(['render-1-4-0', 'render-eus-next', 'render-sea-next', 'render-weu-next']),
  );
  return [...writes.values()].flat().filter((s) => s === 200).length;
}

/** Every event on the topic (the broker kept undelivered ones across the crashes). */
async function topicEvents() {
  const connection = (
    JSON.parse(readFileSync(join(dir, '.bif', 'world.json'), 'utf8')) as {
      serviceBusConnection: string;
    }
  ).serviceBusConnection;
  const sb = new ServiceBusClient(connection);
  const receiver = sb.createReceiver('bif-events', 'cli', { receiveMode: 'receiveAndDelete' });
  const events: { id: string; type: string; requestId: string }[] = [];
  for (;;) {
    const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: 1000 });
    if (batch.length === 0) break;
    for (const m of batch) {
      const body = m.body as { type: string; data: { requestId: string } };
      events.push({
        id: String(m.messageId),
        type: body.type.replace('BatchImageFactory.', ''),
        requestId: body.data.requestId,
      });
    }
  }
  await receiver.close();
  await sb.close();
  return events;
}

describe('bif start killed with SIGKILL and started again', () => {
  it('resumes every pipeline at three crash points: all complete, nothing created twice, no orphans', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bif-restart-'));
    run = runBif(dir, START);
    let origin = await hostOf(dir, run);
    // A second pipeline, submitted over HTTP while the bundled example runs.
    const submitted = await fetch(`${origin}/api/builds`, {
      method: 'POST',
      headers: functionKeyHeaders(dir),
      body: readFileSync(join(ROOT, 'examples', 'one-region-small.json'), 'utf8'),
    });
    expect(submitted.status).toBe(202);

    const crashed = await crashAtEachPoint(run, origin);
    run = crashed.run;
    origin = crashed.origin;
    const figures = crashed.figures;

    for (const id of [GLOBAL, SMALL])
      expect({ id, status: await finalStatus(origin, id) }).toEqual({ id, status: 'Completed' });

    const rewrites = await expectNoDuplicateWrites(run);

    // Every milestone once, with one message id: the broker kept undelivered events across the crashes.
    const events = await topicEvents();
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const count = (type: string, requestId: string) =>
      events.filter((e) => e.type === type && e.requestId === requestId).length;
    for (const id of [GLOBAL, SMALL])
      for (const type of ['Pipeline.Accepted', 'Image.Published', 'Pipeline.Completed'])
        expect({ id, type, n: count(type, id) }).toEqual({ id, type, n: 1 });
    expect(count('Pool.Ready', GLOBAL)).toBe(3);
    expect(count('Pool.Ready', SMALL)).toBe(1);

    // A clean stop leaves nothing running either.
    run.child.kill('SIGINT');
    await run.exited;
    expect(await noProcessesLeft(dir)).toEqual([]);

    process.stdout.write(
      `writes answered 200 (updates, or retries after a restart): ${rewrites}\nrestart-to-resume (real ms: host serving / first call to the cloud after spawn):\n${figures
        .map(
          (f) =>
            `  ${f.point.padEnd(24)} ${String(f.hostUpMs).padStart(6)} ${String(f.firstCallMs).padStart(6)}`,
        )
        .join('\n')}\n`,
    );
  });
});

describe('processes a crashed bif start leaves behind', () => {
  it('the child notices its parent died; a frozen one is ended by the next start, by its recorded PID; bif clean removes the world', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bif-orphans-'));
    const runs: BifRun[] = [];
    cleanups.push(async () => {
      for (const r of runs) if (r.child.exitCode === null) await killGroup(r);
      for (const p of processesOf(home)) process.kill(p.pid, 'SIGKILL');
      rmSync(home, { recursive: true, force: true });
    });
    const start = () => {
      const r = runBif(home, ['start', '--port', '0', '--no-submit']);
      runs.push(r);
      return r;
    };
    const azuritePid = () =>
      (
        JSON.parse(readFileSync(join(home, '.bif', 'processes.json'), 'utf8')) as {
          role: string;
          pid: number;
        }[]
      ).find((p) => p.role === 'azurite')!.pid;

    // kill -9 of bif start alone (not its group): Azurite sees its parent go and exits by itself.
    let first = start();
    await hostOf(home, first);
    // Build inputs (start-task secrets), keys and the TLS key live there: the folder is the user's alone.
    expect(statSync(join(home, '.bif')).mode & 0o777).toBe(0o700);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await noProcessesLeft(home, 3000)).toEqual([]);

    // Started again the README way: the host is up and a second start in the same folder is refused.
    first = start();
    const origin = await hostOf(home, first);
    const second = runBif(home, ['start', '--port', '0', '--no-submit']);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`another local world (pid ${first.child.pid}) is running`);
    expect(bif(home, ['clean'])).toEqual({
      code: 1,
      out: expect.stringContaining(`bif start (pid ${first.child.pid}) is still running`),
    });

    // A child that cannot notice (frozen) outlives the kill; the next start ends it by its recorded PID.
    const submitted = await fetch(`${origin}/api/builds`, {
      method: 'POST',
      headers: functionKeyHeaders(home),
      body: readFileSync(join(ROOT, 'examples', 'one-region-small.json'), 'utf8'),
    });
    expect(submitted.status).toBe(202);
    const frozen = azuritePid();
    process.kill(frozen, 'SIGSTOP');
    first.child.kill('SIGKILL');
    await first.exited;
    await sleep(500);
    expect(processesOf(home).map((p) => p.pid)).toEqual([frozen]);

    // Meanwhile the CLI says the host is down and how to start it, in text and as JSON.
    const down = bif(home, ['status', SMALL]);
    expect(down.code).toBe(3);
    expect(down.out).toMatch(/is down .*Start it with `npm start`/);
    const downJson = JSON.parse(bif(home, ['status', SMALL, '--json']).out) as { error: { code: string } };
    expect(downJson.error.code).toBe('HostDown');

    const third = start();
    await hostOf(home, third);
    // Logs go to .bif/host.log, appended by every start.
    expect(readFileSync(join(home, '.bif', 'host.log'), 'utf8')).toContain(
      `ended azurite (pid ${frozen}) left running by an earlier run`,
    );
    expect(processesOf(home).map((p) => p.pid)).not.toContain(frozen);
    const status = JSON.parse(bif(home, ['status', SMALL, '--json']).out) as { runtimeStatus: string };
    expect(['Running', 'Completed']).toContain(status.runtimeStatus); // the build survived the crash

    third.child.kill('SIGINT');
    await third.exited;
    expect(bif(home, ['clean'])).toEqual({ code: 0, out: expect.stringContaining('Removed .bif/') });
    expect(existsSync(join(home, '.bif'))).toBe(false);
    expect(await noProcessesLeft(home)).toEqual([]);
  });
});
