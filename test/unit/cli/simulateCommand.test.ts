import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateCommand } from '../../../src/cli/simulateCommand';
import { runWhatIf } from '../../../src/local/whatIf/run';
import { describeLag } from '../../../src/cli/whatIfLag';

/**
 * `bif simulate`'s input: every bad flag or timings file is refused before the what-if starts, naming
 * the flag or the file and what to write instead. The what-if itself (a local world) is mocked here:
 * these tests are about what reaches it, not about the run.
 */
jest.mock('../../../src/local/whatIf/run', () => ({
  runWhatIf: jest.fn(async () => ({
    timeline: {
      lanes: [{ region: 'westeurope', phases: [], endMs: 60 * 60_000 }],
      makespanMs: 60 * 60_000,
      criticalRegion: 'westeurope',
    },
    runtimeStatus: 'Completed',
    requests: 0,
    stepLag: { steps: 200, meanStepMs: 20, activities: 150, meanActivityMs: 60, simulatedSecondsPerStep: 48 },
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

  it.each(['6000', '1e9', '5', '0', 'fast'])(
    '--speed %s: refused, naming the flag and the allowed range',
    async (speed) => {
      const result = await simulateCommand([REQUEST, '--speed', speed]);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toContain('--speed must be a number from 10 to 600');
      expect(runWhatIf).not.toHaveBeenCalled();
    },
  );

  it('says what each host step cost in simulated time, and that the run was distorted when it was', async () => {
    const result = await simulateCommand([REQUEST, '--speed', '600']);
    expect(result.stdout).toContain(
      'Host step lag: 20 ms per orchestration step (200) and 60 ms per activity (150), 48 simulated s a step at 600×: about 120 min of the makespan (200 %). The prediction is distorted',
    );
    const json = JSON.parse((await simulateCommand([REQUEST, '--json'])).stdout);
    expect(json).toMatchObject({
      speed: 600,
      distorted: true,
      stepLag: { simulatedSecondsPerStep: 48, estimatedDistortionMinutes: 120 },
    });
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

describe('describeLag', () => {
  const timeline = (minutes: number, regions: number) => ({
    lanes: Array.from({ length: regions }, (_, i) => ({
      region: `r${i}`,
      phases: [],
      endMs: minutes * 60_000,
    })),
    makespanMs: minutes * 60_000,
  });
  const lag = (simulatedSecondsPerStep: number) => ({
    steps: 220,
    meanStepMs: 3,
    activities: 120,
    meanActivityMs: 15,
    simulatedSecondsPerStep,
  });

  it('flags a run whose lag is over a tenth of the makespan, not one under it (the figures of a measured 600× and 150× run)', () => {
    expect(describeLag(lag(10.7), 600, timeline(94, 3))).toMatchObject({
      distorted: false,
      estimatedMinutes: 7.1,
    });
    expect(describeLag(lag(2.7), 150, timeline(86, 3))).toMatchObject({
      distorted: false,
      estimatedMinutes: 1.8,
    });
    expect(describeLag(lag(90), 6000, timeline(195, 3))).toMatchObject({
      distorted: true,
      estimatedMinutes: 60,
    });
  });
});
