import { buildRequestSchema, type BuildRequest } from './buildRequest';
import { parseJsonText, validateWith } from './validation';
import { planBuild, planSummary, type BuildPlan, type PlanFacts, type PlanSummary } from './planning/plan';

export type RequestCheck =
  | { ok: true; request: BuildRequest; plan: BuildPlan; summary: PlanSummary }
  | { ok: false; request?: undefined; summary: PlanSummary };

const EMPTY = { regions: [], pools: [], image: {} };

/** Validate untrusted input and, when its shape is right, plan it: the whole dry run. */
export function checkBuildRequest(input: unknown, facts: PlanFacts): RequestCheck {
  const validated = validateWith(buildRequestSchema, input);
  if (!validated.ok) return { ok: false, summary: { valid: false, ...EMPTY, findings: validated.findings } };
  const plan = planBuild(validated.value, facts);
  return { ok: true, request: validated.value, plan, summary: planSummary(plan) };
}

/** Same, from JSON text (a queue message, a file): a syntax error is a finding with its position. */
export function checkBuildRequestText(text: string, facts: PlanFacts): RequestCheck {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, summary: { valid: false, ...EMPTY, findings: [parsed.finding] } };
  return checkBuildRequest(parsed.value, facts);
}
