import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../helpers/requests';

/**
 * The watch the local world preloads into Azurite (dist/local/dieWithParent.js, so `npm run build`
 * first) must not keep a service alive that a SIGTERM asks to stop: Azurite's queue service closes its
 * server on SIGTERM and then waits for its event loop to empty, which the watch's open stdin never lets
 * happen, so every stop ended in the SIGKILL fallback (and lost the close's last save). A service with
 * no SIGTERM handler of its own (Azurite's table service) must die of the signal as it would without it.
 */
const PRELOAD = join(ROOT, 'dist', 'local', 'dieWithParent.js');

/** Azurite's queue service in small: on SIGTERM it closes its server and leaves the process to end by itself. */
const CLOSES_ON_SIGTERM = `
const server = require('node:http').createServer().listen(0, '127.0.0.1', () => {
  process.once('SIGTERM', () => server.close());
  console.log('ready');
});`;
/** A service with no signal handler of its own. */
const NO_HANDLER = `require('node:http').createServer().listen(0, '127.0.0.1', () => console.log('ready'));`;
/**
 * Azurite's table service in small: it closes (and saves) on SIGINT only, saying so on stdout, and
 * has no SIGTERM handler (Azure/Azurite src/table/main.ts).
 */
const CLOSES_ON_SIGINT_ONLY = `
const server = require('node:http').createServer().listen(0, '127.0.0.1', () => {
  process.once('SIGINT', () => server.close(() => console.log('saved')));
  console.log('ready');
});`;

async function startThenTerminate(script: string, signal: NodeJS.Signals = 'SIGTERM') {
  const child = spawn(process.execPath, ['--require', PRELOAD, '-e', script], {
    // As startAzurite spawns Azurite: stdin is the pipe the watch reads.
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BIF_PARENT_PID: String(process.pid) },
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stdout = '';
  child.stdout!.on('data', (c) => (stdout += c));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  child.kill(signal);
  // A deadline only so a process that ignores the SIGTERM cannot outlive the test: how it ended is the check.
  const fallback = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    return { ...(await ended), saved: stdout.includes('saved') };
  } finally {
    clearTimeout(fallback);
  }
}

describe('the parent watch preloaded into Azurite', () => {
  it('lets a service that closes on SIGTERM end by itself (no SIGKILL)', async () => {
    expect(await startThenTerminate(CLOSES_ON_SIGTERM)).toMatchObject({ code: 0, signal: null });
  }, 20_000);

  it('turns a SIGTERM into the SIGINT of a service that closes on SIGINT only (its close saves)', async () => {
    expect(await startThenTerminate(CLOSES_ON_SIGINT_ONLY)).toEqual({ code: 0, signal: null, saved: true });
  }, 20_000);

  it('lets a service that closes on SIGINT end by itself on SIGINT (what stop() sends)', async () => {
    expect(await startThenTerminate(CLOSES_ON_SIGINT_ONLY, 'SIGINT')).toEqual({
      code: 0,
      signal: null,
      saved: true,
    });
  }, 20_000);

  it('lets a service with no handler of its own die of the SIGTERM or SIGINT', async () => {
    expect(await startThenTerminate(NO_HANDLER)).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(await startThenTerminate(NO_HANDLER, 'SIGINT')).toMatchObject({ code: null, signal: 'SIGINT' });
  }, 20_000);
});
