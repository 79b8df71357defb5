import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateCommand } from '../../../src/cli/simulateCommand';
import { runWhatIf } from '../../../src/local/whatIf/run';

/**
 * `bif simulate`'s input: every bad flag or timings file is refused before the what-if starts, naming
 * the flag or the file and what to write instead. The what-if itself (a local world) is mocked here:
 * these tests are about what reaches it, not about the run.
 */
jest.mock('../../../src/local/whatIf/run', () => ({
  runWhatIf: jest.fn(async () => ({
    timeline: { lanes: [], makespanMs: 0, criticalRegion: 'westeurope' },
    runtimeStatus: 'Completed',
    requests: 0,
  })),
}));

const REQUEST = join(__dirname, '../../../examples/one-region-small.json');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'bif-simulate-args-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => jest.mocked(runWhatIf).mockClear());

const timingsFile = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('bif simulate refuses bad input before it runs', () => {
  it.each([
    [['--timings'], '--timings needs a value'],
    [['--timings', '--json'], '--timings needs a value'],
    [['--speed'], '--speed needs a value'],
  ])('%j: names the flag that has no value', async (flags, message) => {
    const result = await simulateCommand([REQUEST, ...flags]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain(message);
    expect(runWhatIf).not.toHaveBeenCalled();
  });

  it('a timings file that is an array: "timings file must be an object"', async () => {
    const file = timingsFile('array.json', []);
    const result = await simulateCommand([REQUEST, '--timings', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain(`timings file ${file}: timings file must be an object`);
  });

  it('a legal timings file that would run for many real minutes is refused, naming region and figure', async () => {
    const file = timingsFile('week.json', { regions: { westeurope: { replicationMinutes: 10080 } } });
    const result = await simulateCommand([REQUEST, '--timings', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain(
      'regions.westeurope.replicationMinutes 10080 would take about 17 real minutes',
    );
    expect(runWhatIf).not.toHaveBeenCalled();
  });

  it('a timings file with no region of the request says the built-in model was used', async () => {
    const file = timingsFile('elsewhere.json', { regions: { japaneast: { replicationMinutes: 20 } } });
    const result = await simulateCommand([REQUEST, '--timings', file]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`file ${file} (no region of this request: built-in model used)`);
  });

  it('a timings file that names a region of the request is its source, as is', async () => {
    const file = timingsFile('here.json', { regions: { westeurope: { replicationMinutes: 20 } } });
    const result = await simulateCommand([REQUEST, '--timings', file]);
    expect(result.stdout).toContain(`Timings: file ${file}; predicted`);
  });
});
