import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/profileTop.js <file.cpuprofile> [rows]`: self time summed per function (name and
 * source position), largest first — how docs/benchmarks.md reads a `node --cpu-prof` run of the bench.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function selfTimeByFunction(profile: CpuProfile): { name: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|src)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    const us = profile.timeDeltas[i] ?? 0;
    totals.set(name, (totals.get(name) ?? 0) + us);
    total += us;
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }));
}

/**
 * The share of samples whose stack holds a frame matching `pattern` (function name or file): the
 * inclusive cost of, say, one orchestrator or one source folder.
 */
export function inclusiveShare(profile: CpuProfile, pattern: RegExp): number {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const matches = new Map<number, boolean>();
  const inStack = (id: number): boolean => {
    const known = matches.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)!.callFrame;
    const up = parent.get(id);
    const hit = pattern.test(`${frame.functionName} ${frame.url}`) || (up !== undefined && inStack(up));
    matches.set(id, hit);
    return hit;
  };
  let total = 0;
  let hit = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    if (inStack(id)) hit += us;
  });
  return total ? hit / total : 0;
}

if (require.main === module) {
  const [path, rows = '20', ...patterns] = process.argv.slice(2);
  if (!path) {
    process.stderr.write(
      'usage: node dist/bench/profileTop.js <file.cpuprofile> [rows] [inclusive pattern…]\n',
    );
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  for (const pattern of patterns)
    process.stdout.write(
      `inclusive ${pattern}: ${(inclusiveShare(profile, new RegExp(pattern)) * 100).toFixed(1)} %\n`,
    );
  const top = selfTimeByFunction(profile);
  for (const row of top.slice(0, Number(rows)))
    process.stdout.write(
      `${row.ms.toFixed(0).padStart(8)} ms ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.name}\n`,
    );
}
