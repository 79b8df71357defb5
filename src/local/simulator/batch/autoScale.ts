import type { BatchAutoScaleState } from '../model';
import { parseDurationMs } from '../../../domain/duration';
import { invalidProperty } from './batchErrors';

const MIN_INTERVAL_MS = 5 * 60_000;
const MAX_INTERVAL_MS = 168 * 60 * 60_000;
export const DEFAULT_EVALUATION_INTERVAL = 'PT15M';

/**
 * Batch checks a formula before applying it and evaluates it at once when autoscale is enabled; the
 * interval must lie within 5 minutes and 168 hours (400 InvalidPropertyValue otherwise). The simulator
 * cannot run Batch's formula language: it checks the shape (balanced parentheses, statements that assign
 * variables) and evaluates target assignments whose right side is a number or min/max of numbers;
 * anything else evaluates to 0 nodes, as a formula driven by pending tasks does on a pool with no jobs.
 * A formula that samples a metric with GetSample() and no GetSamplePercent() guard fails its first
 * evaluation, as Batch's does on a new pool with no samples yet.
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
  const state: BatchAutoScaleState = { formula: text, evaluationInterval, lastRunAtSimMs: nowMs };
  if (/\.GetSample\(/i.test(text) && !/GetSamplePercent\(/i.test(text)) {
    state.error = {
      code: 'InsufficientSampleData',
      message:
        'Autoscale evaluation failed: GetSample() asked for samples the pool does not have yet. Guard it with GetSamplePercent().',
    };
    return { state, dedicated: 0, lowPriority: 0 };
  }
  const dedicated = target(text, 'TargetDedicatedNodes');
  const lowPriority = target(text, 'TargetLowPriorityNodes');
  state.results = `$TargetDedicatedNodes=${dedicated};$TargetLowPriorityNodes=${lowPriority};$NodeDeallocationOption=requeue`;
  return { state, dedicated, lowPriority };
}

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
  if (depth !== 0 || !assigns || !/\$Target(Dedicated|LowPriority)Nodes\s*=/.test(text))
    throw invalidProperty(
      'autoScaleFormula',
      'The autoscale formula is not valid: each statement must assign a variable, parentheses must balance, and $TargetDedicatedNodes or $TargetLowPriorityNodes must be set.',
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
