import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../../helpers/requests';

/**
 * A small Bicep reader: no Bicep compiler can run here, so the infra tests read the templates as text.
 * It knows the shapes this repository writes (one declaration per line, object literals in braces,
 * module calls with a `params` block) and nothing more.
 */
export const INFRA = join(ROOT, 'infra');
export const readInfra = (path: string): string => readFileSync(join(INFRA, path), 'utf8');

export function bicepFiles(): string[] {
  const under = (dir: string) =>
    (existsSync(join(INFRA, dir)) ? readdirSync(join(INFRA, dir)) : [])
      .filter((f) => f.endsWith('.bicep'))
      .map((f) => `${dir}/${f}`);
  return ['main.bicep', ...under('modules'), ...under('roles'), ...under('postdeploy')];
}

/** The object literal after `start` (balanced braces), without its braces. */
export function block(text: string, start: number): string {
  const open = text.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

/** Top-level `key: value` pairs of an object literal body, values as written. */
export function entries(body: string): [string, string][] {
  const out: [string, string][] = [];
  let depth = 0;
  let token = '';
  const flush = () => {
    const m = /^\s*([A-Za-z_][\w]*)\s*:\s*([\s\S]*?)\s*$/.exec(token);
    if (m) out.push([m[1]!, m[2]!]);
    token = '';
  };
  for (const ch of body) {
    if ('{[('.includes(ch)) depth++;
    if ('}])'.includes(ch)) depth--;
    if (depth === 0 && (ch === ',' || ch === '\n')) flush();
    else token += ch;
  }
  flush();
  return out;
}

export const keys = (body: string): string[] => entries(body).map(([k]) => k);

export interface Param {
  name: string;
  required: boolean;
  default?: string;
}

export function declaredParams(text: string): Param[] {
  return [...text.matchAll(/^param (\w+) [\w.]+(?: = (.*))?$/gm)].map((m) => ({
    name: m[1]!,
    required: m[2] === undefined,
    default: m[2],
  }));
}

export interface ResourceDecl {
  symbol: string;
  type: string;
  existing: boolean;
  /** The `if (…)` condition as written, if any. */
  condition?: string;
  body: string;
}

export function resources(text: string): ResourceDecl[] {
  return [...text.matchAll(/^resource (\w+) '([^@']+)@[^']+'( existing)? = (?:if \((.*)\) )?\{/gm)].map(
    (m) => ({
      symbol: m[1]!,
      type: m[2]!,
      existing: Boolean(m[3]),
      condition: m[4],
      body: block(text, m.index! + m[0].length - 1),
    }),
  );
}

export interface ModuleCall {
  symbol: string;
  path: string;
  condition?: string;
  params: [string, string][];
}

export function moduleCalls(text: string): ModuleCall[] {
  return [...text.matchAll(/^module (\w+) '([^']+)' = (?:if \((.*)\) )?(\[[^\n]*\n\s*for [^:]+: )?\{/gm)].map(
    (m) => {
      const body = block(text, m.index! + m[0].length - 1);
      const at = body.indexOf('params:');
      return {
        symbol: m[1]!,
        path: m[2]!,
        condition: m[3],
        params: at >= 0 ? entries(block(body, at)) : [],
      };
    },
  );
}

export const modulePath = (fromFile: string, path: string): string => join(dirname(fromFile), path);
