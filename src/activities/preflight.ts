import type { Services } from './services';
import type { BuildRequest } from '../domain/buildRequest';
import type { PreflightResult } from '../domain/pipeline';
import { planPipeline } from '../domain/planning/pipelinePlan';
import { gatherFacts } from './gatherFacts';

export interface PreflightInput {
  request: BuildRequest;
  instanceId: string;
  /** The version the definition's ledger leased to this build ("auto" already resolved). */
  version?: string;
}

/**
 * Everything the pipeline must know before it creates anything: read the facts (I/O only), then the
 * one pure planning step over them — the same one follower rollouts use.
 */
export async function preflight(
  services: Services,
  { request, instanceId, version }: PreflightInput,
): Promise<PreflightResult> {
  const facts = await gatherFacts(request, services, { instanceId, leasedVersion: version });
  return planPipeline(request, facts);
}
