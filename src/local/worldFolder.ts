import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { VirtualClock } from './clock';
import { makeLocalCertificate, type LocalCertificate } from './tls';
import { WorldStore } from './simulator/worldStore';

/**
 * One local world lives in one folder (`.bif/` for `npm start`), the same files on every start, so
 * a restart after a crash picks up where the world was: the cloud's resources, the queues, the
 * durable history, undelivered events, and simulated time.
 */
export function worldFiles(workDir: string) {
  return {
    simulatorState: join(workDir, 'simulator-state.json'),
    requestLog: join(workDir, 'simulator-requests.jsonl'),
    simulatorCa: join(workDir, 'simulator-ca.pem'),
    /** The simulator's self-signed certificate and key (owner-only): the same CA across restarts. */
    simulatorCertificate: join(workDir, 'simulator-certificate.json'),
    azurite: join(workDir, 'azurite'),
    durableDb: join(workDir, 'durable.db'),
    broker: join(workDir, 'servicebus.json'),
    clock: join(workDir, 'clock.json'),
    /** PIDs of the processes this world started: the start after a crash ends any still running. */
    processes: join(workDir, 'processes.json'),
    hostLog: join(workDir, 'host.log'),
  };
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined; // missing, or torn by a kill: start without it
  }
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

const CLOCK_SAVE_MS = 100;

/**
 * Where simulated time stood when the world last ran: the latest of the clock it saved every 100 ms,
 * the simulator's last save and the durable store's last turn. Resuming there (not at wall-clock
 * time, not at the last anchor) keeps time from jumping ahead by the downtime × speed, and from
 * running backwards behind anything the pipelines already saw.
 */
export function lastSimTime(workDir: string): number | undefined {
  const files = worldFiles(workDir);
  const candidates = [
    readJson<{ simMs: number }>(files.clock)?.simMs,
    WorldStore.savedAtSimMs(files.simulatorState),
    lastDurableTurn(files.durableDb),
  ].filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  return candidates.length ? Math.max(...candidates) : undefined;
}

function lastDurableTurn(dbPath: string): number | undefined {
  if (!existsSync(dbPath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const row = db.prepare('SELECT MAX(updated_at) AS t FROM instances').get() as { t: number | null };
    return row.t ?? undefined;
  } catch {
    return undefined; // no instances table yet
  } finally {
    db?.close();
  }
}

/** Saves simulated time every 100 ms (real) while the world runs; returns the stop. */
export function keepClockSaved(clock: VirtualClock, path: string): () => void {
  const save = () => writeJson(path, { simMs: clock.nowMs(), speed: clock.speed });
  save();
  const timer = setInterval(save, CLOCK_SAVE_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    save();
  };
}

/** Certificates are made for 30 days (tls.ts); one is made afresh well before that. */
const CERTIFICATE_REUSE_MS = 20 * 24 * 3600_000;

/**
 * The simulator's certificate from the last start when it is recent, else a new one (kept for the next
 * start). Reusing it keeps the CA a user may have trusted, and saves the key generation at every restart.
 */
export function worldCertificate(path: string): LocalCertificate {
  if (existsSync(path) && Date.now() - statSync(path).mtimeMs < CERTIFICATE_REUSE_MS) {
    const kept = readJson<LocalCertificate>(path);
    if (kept?.cert && kept.key) return kept;
  }
  const made = makeLocalCertificate();
  writeFileSync(`${path}.tmp`, JSON.stringify(made), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return made;
}
