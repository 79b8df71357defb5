import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The host's secrets, in the shape of the Functions host's own `host.json` secrets file: a master key,
 * host-level function keys, and one system key per extension webhook. Generated once per local world
 * and kept in a file only the user can read, so nothing on the machine gets in without it.
 */
export interface HostKeys {
  masterKey: string;
  functionKeys: { default: string };
  systemKeys: { durabletask_extension: string; eventgrid_extension: string };
}

/** What a door requires, as the Functions host decides it (authLevel on HTTP routes, system keys on webhooks). */
export type KeyRequirement =
  | { level: 'anonymous' }
  | { level: 'function' }
  | { level: 'admin' }
  | { level: 'system'; name: keyof HostKeys['systemKeys'] };

function newKey(): string {
  // Azure's generated keys are ~56 characters of URL-safe base64; 40 random bytes give the same strength.
  return randomBytes(40).toString('base64url');
}

function isHostKeys(value: unknown): value is HostKeys {
  const v = value as HostKeys | null;
  return (
    typeof v?.masterKey === 'string' &&
    typeof v.functionKeys?.default === 'string' &&
    typeof v.systemKeys?.durabletask_extension === 'string' &&
    typeof v.systemKeys?.eventgrid_extension === 'string'
  );
}

/** Reads the keys file, or creates it (mode 0600) with fresh keys. A damaged file is replaced, not trusted. */
export function loadOrCreateKeys(path: string): HostKeys {
  if (existsSync(path)) {
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (isHostKeys(parsed)) {
        chmodSync(path, 0o600);
        return parsed;
      }
    } catch {
      // fall through: write a fresh set
    }
  }
  const keys: HostKeys = {
    masterKey: newKey(),
    functionKeys: { default: newKey() },
    systemKeys: { durabletask_extension: newKey(), eventgrid_extension: newKey() },
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its old mode on write
  return keys;
}

/** Reads an existing keys file (the CLI and tests); undefined when there is none or it is damaged. */
export function readKeys(path: string): HostKeys | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return isHostKeys(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key a caller presented: the `code` query parameter or the `x-functions-key` header, as in Azure. */
export function presentedKey(url: URL, headers: Record<string, string | string[] | undefined>): string {
  const header = headers['x-functions-key'];
  return url.searchParams.get('code') ?? (Array.isArray(header) ? header[0] : header) ?? '';
}

/** Whether the presented key opens a door. The master key opens every door, as in Azure. */
export function keyAllows(keys: HostKeys, requirement: KeyRequirement, presented: string): boolean {
  if (requirement.level === 'anonymous') return true;
  if (!presented) return false;
  if (same(presented, keys.masterKey)) return true;
  if (requirement.level === 'function') return same(presented, keys.functionKeys.default);
  if (requirement.level === 'system') return same(presented, keys.systemKeys[requirement.name]);
  return false;
}
