import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/requests';

/**
 * `node dist/cli/bif.js start` as a user runs it (what `npm start` runs after building), in its own
 * process group so a test can `kill -9` the whole group the way a terminal or an OOM killer would.
 */
export const BIF = join(ROOT, 'dist', 'cli', 'bif.js');

export interface BifRun {
  child: ChildProcess;
  output: () => string;
  spawnedAt: number;
  exited: Promise<number | null>;
}

export function runBif(cwd: string, args: string[]): BifRun {
  const child = spawn(process.execPath, [BIF, ...args], {
    cwd,
    detached: true, // its own process group
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (c) => (text += c));
  child.stderr!.on('data', (c) => (text += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, spawnedAt: Date.now(), exited };
}

/** Waits until `bif start` has written where its host is; returns the host origin. */
export async function hostOf(cwd: string, run: BifRun, timeoutMs = 30_000): Promise<string> {
  const file = join(cwd, '.bif', 'world.json');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`bif start exited early:\n${run.output()}`);
    if (existsSync(file)) {
      try {
        const state = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number; hostOrigin: string };
        if (state.pid === run.child.pid) return state.hostOrigin;
      } catch {
        // being written
      }
    }
    await sleep(50);
  }
  throw new Error(`bif start did not serve within ${timeoutMs} ms:\n${run.output()}`);
}

/** kill -9 of the whole process group: bif start and every child it started. */
export async function killGroup(run: BifRun): Promise<void> {
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await run.exited;
}

/** Live processes started for the world in `dir`: their working folder is it, or their command line names it. */
export function processesOf(dir: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // ended, awaiting its reaper
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // not ours to read
      }
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(dir))
        found.push({ pid: Number(entry), cmdline });
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Time-boxed: children notice their parent died within a fraction of a second. */
export async function noProcessesLeft(
  dir: string,
  timeoutMs = 5000,
): Promise<{ pid: number; cmdline: string }[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesOf(dir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = processesOf(dir);
  }
  return left;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The function key `bif start` wrote for the world in `cwd` (every /api door asks for it, as in Azure). */
export function functionKeyHeaders(cwd: string): Record<string, string> {
  const keys = JSON.parse(readFileSync(join(cwd, '.bif', 'host-keys.json'), 'utf8')) as {
    functionKeys: { default: string };
  };
  return { 'x-functions-key': keys.functionKeys.default, 'content-type': 'application/json' };
}
