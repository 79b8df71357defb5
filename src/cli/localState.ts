import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readKeys } from '../local/host/keys';

/** What `bif start` leaves for the other commands: where the host and the broker are, and its keys file. */
interface LocalState {
  hostOrigin: string;
  serviceBusConnection?: string;
  eventsTopic?: string;
  /** The `bif start` process serving it, so `bif status` can tell a stopped world from a slow one. */
  pid?: number;
  /** The host's keys (0600, never printed); default .bif/host-keys.json. */
  keysPath?: string;
  /** Azurite's table service (learned timings), read by `bif simulate` while the world runs. */
  tableConnection?: string;
}

export const WORK_DIR = join(process.cwd(), '.bif');
const FILE = join(WORK_DIR, 'world.json');

export function saveLocalState(state: LocalState): void {
  mkdirSync(WORK_DIR, { recursive: true, mode: 0o700 });
  writeFileSync(FILE, JSON.stringify(state, null, 2));
}

export function readLocalState(): LocalState | undefined {
  return existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as LocalState) : undefined;
}

export function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export function hostFrom(args: string[]): string {
  return arg(args, 'host') ?? readLocalState()?.hostOrigin ?? 'http://127.0.0.1:7071';
}

/**
 * The function key `bif` sends to /api routes (as x-functions-key): --key, else BIF_FUNCTION_KEY
 * (for a host in Azure: `az functionapp keys list`), else the local world's keys file — so nobody
 * types a key for the local world.
 */
export function functionKeyFrom(args: string[]): string | undefined {
  const given = arg(args, 'key') ?? process.env.BIF_FUNCTION_KEY;
  if (given) return given;
  const path = readLocalState()?.keysPath ?? join(WORK_DIR, 'host-keys.json');
  return readKeys(path)?.functionKeys.default;
}

/** Headers that carry the function key, when there is one. */
export function keyHeaders(key: string | undefined): Record<string, string> {
  return key ? { 'x-functions-key': key } : {};
}
