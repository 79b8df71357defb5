import { readFileSync } from 'node:fs';
import { hasErrors } from '../domain/findings';
import type { BuildRequest } from '../domain/buildRequest';
import type { PlanSummary } from '../domain/planning/plan';
import { describeCutover, planCapacity, type CapacityFacts } from '../domain/cutover/capacity';
import { renderTable } from './table';

/**
 * `bif plan … --capacity FILE`: offline, the accounts' core quotas and pools come from a file (the shape
 * of src/domain/cutover/capacity.ts CapacityFacts, keyed by lower-case account id); the build's preflight
 * reads the same facts from Azure. Adds the cutover plan and its findings to the summary.
 */
export function addCutoverPlan(
  summary: PlanSummary & { cutover?: Record<string, string> },
  request: BuildRequest,
  file: string,
): string[] {
  const facts = JSON.parse(readFileSync(file, 'utf8')) as CapacityFacts;
  const demands = request.pools.map((p, index) => ({
    index,
    poolId: p.poolId,
    account: p.account,
    vmSize: p.vmSize,
    dedicatedNodes: p.targetDedicatedNodes,
    lowPriorityNodes: p.targetLowPriorityNodes,
    ...(p.replaces ? { replaces: p.replaces } : {}),
  }));
  const plan = planCapacity(demands, facts, request.cutover);
  summary.findings.push(...plan.findings);
  summary.valid = summary.valid && !hasErrors(plan.findings);
  summary.cutover = Object.fromEntries(
    Object.entries(plan.pools).map(([poolId, p]) => [poolId, describeCutover(p) ?? 'blue-green']),
  );
  return ['Cutover', renderTable(['pool', 'strategy'], Object.entries(summary.cutover)), ''];
}
