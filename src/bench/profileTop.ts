import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/profileTop.js <file.cpuprofile> [rows]`: self time summed per function (name and
 * source position), largest first — how docs/benchmarks.md reads a `node --cpu-prof` run of the bench.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
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

if (require.main === module) {
  const [path, rows = '20'] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node dist/bench/profileTop.js <file.cpuprofile> [rows]\n');
    process.exit(2);
  }
  const top = selfTimeByFunction(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  for (const row of top.slice(0, Number(rows)))
    process.stdout.write(
      `${row.ms.toFixed(0).padStart(8)} ms ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.name}\n`,
    );
}
