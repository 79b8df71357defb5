import { readFileSync } from 'node:fs';
import { checkBuildRequestText, type RequestCheck } from '../domain/planRequest';
import { MAX_REQUEST_BYTES } from '../triggers/intake';
import type { BuildRequestInput } from '../domain/buildRequest';
import type { TimingObservation } from '../domain/timings/observation';
import type { TimingProfile } from '../domain/timings/profile';
import { historyExtent, learnedProfile } from '../domain/timings/learn';
import { renderWhatIf, whatIfReport, type TimingsSource } from '../domain/timings/report';
import { runWhatIf } from '../local/whatIf/run';
import { arg } from './localState';
import { readLocalHistory, readTimingsFile, TimingsFileError } from './timingsSource';
import type { CommandResult } from './planCommand';

const USAGE = 'usage: bif simulate <request.json> [--timings FILE] [--json] [--speed S]\n';
const EXIT_INVALID = 2;
/**
 * 600x (a simulated hour in 6 s): faster, the host's own real-time latency (tenths of a second per
 * orchestration turn) becomes simulated minutes and inflates the prediction.
 */
const DEFAULT_SPEED = 600;

/**
 * `bif simulate request.json [--timings FILE] [--json] [--speed S]`: the what-if. Runs the request
 * through the real pipeline against the simulator in a throw-away world, with timings from the file,
 * else from what the local world learned for these regions, else the built-in model; prints the
 * timeline per region as a Gantt chart with the makespan and the critical region, and the same for
 * the barrier strategy. Exit 0 predicted, 2 bad input, 1 the pipeline did not complete.
 */
export async function simulateCommand(args: string[]): Promise<CommandResult> {
  const options = ['timings', 'speed'];
  const file = args.find((a, i) => !a.startsWith('--') && !options.some((o) => args[i - 1] === `--${o}`));
  if (!file) return { exitCode: EXIT_INVALID, stdout: USAGE };
  const speed = Number(arg(args, 'speed') ?? DEFAULT_SPEED);
  if (!(speed > 0)) return { exitCode: EXIT_INVALID, stdout: `--speed must be a positive number.\n${USAGE}` };
  const loaded = loadRequest(file);
  if ('refusal' in loaded) return loaded.refusal;
  let timings: ChosenTimings;
  try {
    timings = await chooseTimings(loaded.check, arg(args, 'timings'));
  } catch (error) {
    if (error instanceof TimingsFileError)
      return { exitCode: EXIT_INVALID, stdout: `bif simulate: ${error.message}\n` };
    throw error;
  }
  const run = await runWhatIf({ request: loaded.request, ...timings, speed });
  const report = whatIfReport(run.timeline, timings.source, 'simulator');
  const completed = run.runtimeStatus === 'Completed';
  const failure = completed
    ? ''
    : `\nThe pipeline did not complete in the simulator (${run.runtimeStatus}): ${run.error ?? 'no reason given'}. The chart shows how far it got.\n`;
  return {
    exitCode: completed ? 0 : 1,
    stdout: args.includes('--json')
      ? `${JSON.stringify({ ...report, runtimeStatus: run.runtimeStatus, ...(run.error ? { error: run.error } : {}) })}\n`
      : `What-if for ${file}\n${renderWhatIf(report)}${failure}`,
  };
}

function loadRequest(
  file: string,
): { check: Extract<RequestCheck, { ok: true }>; request: BuildRequestInput } | { refusal: CommandResult } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      refusal: {
        exitCode: EXIT_INVALID,
        stdout: `bif simulate: cannot read ${file}: ${(error as Error).message}\n`,
      },
    };
  }
  const check = checkBuildRequestText(text, { now: new Date() });
  const tooLarge = Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BYTES;
  if (!check.ok || !check.summary.valid || tooLarge) {
    const problems = check.summary.findings
      .filter((f) => f.severity === 'error')
      .map((f) => `  - ${f.path || '(request)'}: ${f.message}`);
    if (tooLarge) problems.push(`  - (request): over ${MAX_REQUEST_BYTES} bytes; see bif plan ${file}`);
    return {
      refusal: {
        exitCode: EXIT_INVALID,
        stdout: `bif simulate: ${file} is not a valid build request (bif plan ${file} explains):\n${problems.join('\n')}\n`,
      },
    };
  }
  return { check, request: JSON.parse(text) as BuildRequestInput };
}

interface ChosenTimings {
  profile?: TimingProfile;
  /** Pre-recorded in the what-if world, so the pipeline paces its polls from it as it would. */
  history: TimingObservation[];
  source: TimingsSource;
}

/** A file when given; else what the local world learned for these regions; else the built-in model. */
async function chooseTimings(
  check: Extract<RequestCheck, { ok: true }>,
  file?: string,
): Promise<ChosenTimings> {
  if (file) return { profile: readTimingsFile(file), history: [], source: { kind: 'file', file } };
  const asks = check.plan.regions.map((r) => ({
    region: r.name,
    replicaCount: r.replicaCount,
    nodes: r.capacity,
  }));
  const history = await readLocalHistory(asks.map((a) => a.region));
  if (history.length === 0) return { history, source: { kind: 'model' } };
  return {
    profile: learnedProfile(history, asks),
    history,
    source: { kind: 'learned', ...historyExtent(history) },
  };
}
