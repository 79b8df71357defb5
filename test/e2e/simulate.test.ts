import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBif } from '../reliability/bifProcess';
import { ROOT } from '../helpers/requests';

/**
 * `bif simulate` as a user runs it (the CLI process): the what-if of the bundled example prints the
 * Gantt chart and both makespans from the built-in model; after two local runs (`bif start --once`) of
 * differently sized requests in the same folder, its prediction says it used the recorded history.
 */
const EXAMPLE = join(ROOT, 'examples', 'three-regions-3000-nodes.json');
const REGIONS = ['westeurope', 'eastus', 'southeastasia', 'northeurope'];

async function bif(cwd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const run = runBif(cwd, args);
  const code = await run.exited;
  return { code, output: run.output() };
}

/** The example with its own request id and West Europe's pool resized: a differently timed run. */
function variant(dir: string, requestId: string, westEuropeNodes: number): string {
  const request = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  request.requestId = requestId;
  request.pools[0].targetDedicatedNodes = westEuropeNodes;
  // Pools are the build's own: another request in the same world makes pools of its own names.
  for (const pool of request.pools) {
    pool.poolId = `${pool.poolId}-${requestId}`;
    delete pool.replaces;
  }
  const file = join(dir, `${requestId}.json`);
  writeFileSync(file, JSON.stringify(request));
  return file;
}

describe('bif simulate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bif-simulate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the Gantt chart per region and both makespans, from the built-in model', async () => {
    const { code, output } = await bif(dir, ['simulate', EXAMPLE]);
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain('Timings: built-in model');
    for (const region of REGIONS) expect(output).toMatch(new RegExp(`^${region} +\\|[ .=#?~]+\\| `, 'm'));
    expect(output).toMatch(/Per-region gating[\s\S]*predicted makespan \d[^,]*, critical region \w+/);
    expect(output).toMatch(/Barrier strategy[\s\S]*predicted makespan \d[^,]*, critical region \w+/);
  }, 180_000);

  it('after two local runs, predicts from the history they recorded and says so', async () => {
    for (const [id, nodes] of [
      ['learn-one', 3000],
      ['learn-two', 1200],
    ] as const) {
      const run = await bif(dir, [
        'start',
        '--once',
        '--speed',
        '3000',
        '--request',
        variant(dir, id, nodes),
      ]);
      expect({ id, code: run.code, tail: run.output.slice(-400) }).toMatchObject({ code: 0 });
    }
    const { code, output } = await bif(dir, ['simulate', EXAMPLE, '--json']);
    const report = JSON.parse(output.trim().split('\n').at(-1)!);
    // Learned rates carry the runs' poll lag, so a prediction may be that a pool times out: that is a
    // prediction too (exit 1, with the reason), and the chart is still drawn.
    expect({ code, runtimeStatus: report.runtimeStatus }).toEqual(
      code === 0 ? { code, runtimeStatus: 'Completed' } : { code: 1, runtimeStatus: 'Failed' },
    );
    expect(report.timingsFrom).toBe(`learned from 2 runs (${[...REGIONS].sort().join(', ')})`);
    expect(report.source).toEqual({ kind: 'learned', runs: 2, regions: [...REGIONS].sort() });
    expect(report.perRegion.makespanMinutes).toBeGreaterThan(0);
    expect(report.barrier.makespanMinutes).toBeGreaterThanOrEqual(report.perRegion.makespanMinutes - 1);
  }, 400_000);

  it('refuses a bad timings file naming the field and the format', async () => {
    const file = join(dir, 'bad-timings.json');
    writeFileSync(file, JSON.stringify({ regions: { westeurope: { replicationMinutes: 'soon' } } }));
    const { code, output } = await bif(dir, ['simulate', EXAMPLE, '--timings', file]);
    expect(code).toBe(2);
    expect(output).toContain('regions.westeurope.replicationMinutes');
    expect(output).toContain('schemas/timings.schema.json');
  }, 60_000);
});
