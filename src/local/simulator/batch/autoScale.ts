import type { BatchAutoScaleState } from '../model';
import { parseDurationMs } from '../../../domain/duration';
import { invalidProperty } from './batchErrors';

const MIN_INTERVAL_MS = 5 * 60_000;
const MAX_INTERVAL_MS = 168 * 60 * 60_000;
export const DEFAULT_EVALUATION_INTERVAL = 'PT15M';
/** Batch samples a pool's metrics every 30 seconds. */
const SAMPLE_PERIOD_MS = 30_000;

/** Batch's TimeInterval_* constants, in milliseconds. */
const TIME_INTERVALS: Record<string, number> = {
  zero: 0,
  microsecond: 0.001,
  millisecond: 1,
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  year: 31_536_000_000,
};

export interface Evaluation {
  dedicated: number;
  lowPriority: number;
  results?: string;
  error?: { code: string; message: string };
}

/**
 * Batch checks a formula before applying it and evaluates it at once when autoscale is enabled; the
 * interval must lie within 5 minutes and 168 hours (400 InvalidPropertyValue otherwise). The simulator
 * cannot run Batch's formula language: it checks the shape (balanced parentheses, statements that assign
 * variables) and evaluates target assignments whose right side is a number or min/max of numbers;
 * anything else evaluates to 0 nodes, as a formula driven by pending tasks does on a pool with no jobs.
 * What it does model is the documented failure of a young pool (`evaluateFormula`).
 */
export function startAutoScale(
  formula: unknown,
  interval: unknown,
  nowMs: number,
): { state: BatchAutoScaleState; dedicated: number; lowPriority: number } {
  const text = typeof formula === 'string' ? formula.trim() : '';
  if (!text) throw invalidProperty('autoScaleFormula', 'An autoscale pool needs an autoScaleFormula.');
  checkShape(text);
  const evaluationInterval = interval === undefined ? DEFAULT_EVALUATION_INTERVAL : String(interval);
  const ms = parseDurationMs(evaluationInterval);
  if (ms === undefined || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS)
    throw invalidProperty(
      'autoScaleEvaluationInterval',
      'The autoscale evaluation interval must be between 5 minutes and 168 hours.',
    );
  // The first evaluation runs as the pool is created: the pool has no samples yet.
  const run = evaluateFormula(text, 0);
  const state: BatchAutoScaleState = { formula: text, evaluationInterval, lastRunAtSimMs: nowMs };
  if (run.results) state.results = run.results;
  if (run.error) state.error = run.error;
  return { state, dedicated: run.dedicated, lowPriority: run.lowPriority };
}

/**
 * One evaluation of a formula on a pool `poolAgeMs` old. `$X.GetSample(interval, samplePercent)` fails
 * with InsufficientSampleData while fewer than samplePercent of the interval's samples exist (Batch
 * samples every 30 seconds from the pool's creation), and succeeds once the pool has sampled long
 * enough; GetSample without a samplePercent (and the count form) does not fail for want of samples
 * (learn.microsoft.com/azure/batch/batch-automatic-scaling, "Obtain sample data";
 * batch-pool-autoscale-event for the error's shape). A failed evaluation leaves the targets unchanged.
 */
export function evaluateFormula(text: string, poolAgeMs: number): Evaluation {
  const short = insufficientSamples(text, poolAgeMs);
  if (short)
    return {
      dedicated: 0,
      lowPriority: 0,
      error: {
        code: 'InsufficientSampleData',
        message: `Autoscale evaluation failed due to insufficient sample data: Insufficient data from data set: ${short.metric} wanted ${short.wanted}%, received ${short.received}%`,
      },
    };
  const dedicated = target(text, 'TargetDedicatedNodes');
  const lowPriority = target(text, 'TargetLowPriorityNodes');
  return {
    dedicated,
    lowPriority,
    results: `$TargetDedicatedNodes=${dedicated};$TargetLowPriorityNodes=${lowPriority};$NodeDeallocationOption=requeue`,
  };
}

/** The first GetSample(interval, samplePercent) whose samples a pool of this age does not have. */
function insufficientSamples(
  text: string,
  poolAgeMs: number,
): { metric: string; wanted: number; received: number } | undefined {
  const calls = /(\$\w+)\.GetSample\(\s*([^,()]+?)\s*,\s*(\d+(?:\.\d+)?)\s*\)/gi;
  for (const [, metric, interval, percent] of text.matchAll(calls)) {
    const windowMs = intervalMs(interval!);
    if (windowMs === undefined || windowMs <= 0) continue;
    const expected = Math.max(1, Math.floor(windowMs / SAMPLE_PERIOD_MS));
    const collected = Math.min(expected, Math.floor(poolAgeMs / SAMPLE_PERIOD_MS));
    const received = Math.floor((collected / expected) * 100);
    if (received < Number(percent)) return { metric: metric!, wanted: Number(percent), received };
  }
  return undefined;
}

/** `TimeInterval_Minute * 10`, `10 * TimeInterval_Second` or a bare TimeInterval_* constant. */
function intervalMs(expr: string): number | undefined {
  let total = 1;
  for (const factor of expr.split('*').map((f) => f.trim())) {
    const unit = /^TimeInterval_(\w+)$/i.exec(factor);
    if (unit) total *= TIME_INTERVALS[unit[1]!.toLowerCase()] ?? NaN;
    else if (/^\d+(\.\d+)?$/.test(factor)) total *= Number(factor);
    else return undefined;
  }
  return Number.isFinite(total) ? total : undefined;
}

/**
 * Statements assign variables and parentheses balance. No target assignment is required: Batch
 * documents none (a formula may set only $NodeDeallocationOption), so none is invented here.
 */
function checkShape(text: string): void {
  let depth = 0;
  for (const ch of text) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  const statements = text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  const assigns = statements.every((s) => /^\$?[A-Za-z_]\w*\s*=[^=]/.test(s));
  if (depth !== 0 || !assigns)
    throw invalidProperty(
      'autoScaleFormula',
      'The autoscale formula is not valid: each statement must assign a variable, and parentheses must balance.',
    );
}

function target(text: string, variable: string): number {
  const match = new RegExp(`\\$${variable}\\s*=\\s*([^;]+)`).exec(text);
  if (!match) return 0;
  const expr = match[1]!.trim();
  if (/^\d+$/.test(expr)) return Number(expr);
  const minMax = /^(min|max)\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(expr);
  if (minMax) {
    const [a, b] = [Number(minMax[2]), Number(minMax[3])];
    return minMax[1]!.toLowerCase() === 'min' ? Math.min(a, b) : Math.max(a, b);
  }
  return 0;
}
