import { readFileSync } from 'node:fs';
import { checkBuildRequestText, type RequestCheck } from '../domain/planRequest';
import { MAX_REQUEST_BYTES } from '../triggers/intake';
import type { BuildRequestInput } from '../domain/buildRequest';
import type { TimingObservation } from '../domain/timings/observation';
import type { TimingProfile } from '../domain/timings/profile';
import { historyExtent, learnedProfile } from '../domain/timings/learn';
import { renderWhatIf, whatIfReport, type TimingsSource } from '../domain/timings/report';
import { runWhatIf } from '../local/whatIf/run';
import { describeLag } from './whatIfLag';
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
 * The range where the prediction stays faithful on a loaded 2-core machine (docs/benchmarks.md § 5):
 * the same request predicted 84 min at 75×, 86 at 150×, 98 at 600×, 109 at 1200×, 195 at 6000×.
 * Slower than 10×, a 90-minute pipeline would take 9 real minutes.
 */
const MIN_SPEED = 10;
const MAX_SPEED = 600;
/** Real minutes a what-if may take: longer, the command is refused before it starts. */
const MAX_REAL_MINUTES = 5;

/**
 * `bif simulate request.json [--timings FILE] [--json] [--speed S]`: the what-if. Runs the request
 * through the real pipeline against the simulator in a throw-away world, with timings from the file,
 * else from what the local world learned for these regions, else the built-in model; prints the
 * timeline per region as a Gantt chart with the makespan and the critical region, and the same for
 * the barrier strategy. Exit 0 predicted, 2 bad input, 1 the pipeline did not complete.
 */
export async function simulateCommand(args: string[]): Promise<CommandResult> {
  const parsed = parseArgs(args);
  if ('refusal' in parsed) return parsed.refusal;
  const { file, speed } = parsed;
  const loaded = loadRequest(file);
  if ('refusal' in loaded) return loaded.refusal;
  let timings: ChosenTimings;
  try {
    timings = await chooseTimings(loaded.check, parsed.timingsFile);
    refuseSlowTimings(timings, parsed.timingsFile, speed);
  } catch (error) {
    if (error instanceof TimingsFileError)
      return { exitCode: EXIT_INVALID, stdout: `bif simulate: ${error.message}\n` };
    throw error;
  }
  const run = await runWhatIf({ request: loaded.request, ...timings, speed });
  const report = whatIfReport(run.timeline, timings.source, 'simulator');
  const completed = run.runtimeStatus === 'Completed';
  const lag = describeLag(run.stepLag, speed, run.timeline);
  const failure = completed
    ? ''
    : `\nThe pipeline did not complete in the simulator (${run.runtimeStatus}): ${run.error ?? 'no reason given'}. The chart shows how far it got.\n`;
  return {
    exitCode: completed ? 0 : 1,
    stdout: args.includes('--json')
      ? `${JSON.stringify({ ...report, runtimeStatus: run.runtimeStatus, ...(run.error ? { error: run.error } : {}), speed, stepLag: { ...run.stepLag, estimatedDistortionMinutes: lag.estimatedMinutes }, distorted: lag.distorted })}\n`
      : `What-if for ${file}\n${renderWhatIf(report)}${lag.text}${failure}`,
  };
}

const refuse = (message: string) => ({
  refusal: { exitCode: EXIT_INVALID, stdout: `bif simulate: ${message}\n${USAGE}` },
});

/** The request file and the flags; a flag given without its value is refused, never ignored. */
function parseArgs(
  args: string[],
): { file: string; speed: number; timingsFile?: string } | { refusal: CommandResult } {
  const options = ['timings', 'speed'];
  for (const o of options) {
    const at = args.indexOf(`--${o}`);
    const value = at >= 0 ? args[at + 1] : undefined;
    if (at >= 0 && (value === undefined || value.startsWith('--')))
      return refuse(`--${o} needs a value (--${o} ${o === 'speed' ? 'S' : 'FILE'}).`);
  }
  const file = args.find((a, i) => !a.startsWith('--') && !options.some((o) => args[i - 1] === `--${o}`));
  if (!file) return { refusal: { exitCode: EXIT_INVALID, stdout: USAGE } };
  const speed = Number(arg(args, 'speed') ?? DEFAULT_SPEED);
  if (!(speed >= MIN_SPEED && speed <= MAX_SPEED))
    return refuse(
      `--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED} (simulated ms per real ms): faster, the host's own step time becomes simulated minutes and lengthens the prediction (docs/benchmarks.md § 5).`,
    );
  return { file, speed, timingsFile: arg(args, 'timings') };
}

/**
 * A legal file can still ask for a week of replication: at the what-if's speed that is many real
 * minutes of a silent command. Refuse what would run past MAX_REAL_MINUTES, naming the region and figure.
 */
function refuseSlowTimings(timings: ChosenTimings, file: string | undefined, speed: number): void {
  if (!file || !timings.profile) return;
  const boundSimMinutes = MAX_REAL_MINUTES * speed;
  for (const [region, figures] of Object.entries(timings.profile.regions)) {
    const minutes = figures.replicationMinutes ?? 0;
    if (minutes > boundSimMinutes)
      throw new TimingsFileError(
        `timings file ${file}: regions.${region}.replicationMinutes ${minutes} would take about ${Math.ceil(minutes / speed)} real minutes to simulate at ${speed}×; the what-if runs at most ${MAX_REAL_MINUTES} real minutes (${boundSimMinutes} simulated minutes at this speed). Use at most ${boundSimMinutes}.`,
      );
  }
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
  const asks = check.plan.regions.map((r) => ({
    region: r.name,
    replicaCount: r.replicaCount,
    nodes: r.capacity,
  }));
  if (file) {
    const profile = readTimingsFile(file);
    const touches = asks.some((a) => a.region in profile.regions);
    return { profile, history: [], source: { kind: 'file', file, ...(touches ? {} : { unused: true }) } };
  }
  const history = await readLocalHistory(asks.map((a) => a.region));
  if (history.length === 0) return { history, source: { kind: 'model' } };
  return {
    profile: learnedProfile(history, asks),
    history,
    source: { kind: 'learned', ...historyExtent(history) },
  };
}
