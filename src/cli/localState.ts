import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** What `bif start` leaves for the other commands: where the host and the broker are. */
export interface LocalState {
  hostOrigin: string;
  serviceBusConnection?: string;
  eventsTopic?: string;
  /** The `bif start` process serving it, so `bif status` can tell a stopped world from a slow one. */
  pid?: number;
}

export const WORK_DIR = join(process.cwd(), '.bif');
const FILE = join(WORK_DIR, 'world.json');

export function saveLocalState(state: LocalState): void {
  mkdirSync(WORK_DIR, { recursive: true });
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
