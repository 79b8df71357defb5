import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  ORCHESTRATORS,
  pipelineInstanceId,
  type OrchestrationSettings,
  type PipelineInput,
} from '../../src/domain/pipeline';
import type { DurableEngine } from '../../src/local/host/durable/engine';
import { buildRequestSchema, type BuildRequest } from '../../src/domain/buildRequest';
import { exampleInput, SUB_A } from './requests';

/**
 * Running the image pipeline on the embedded engine the way the intake starts it, for the orchestrator
 * tests over a scripted cloud (scriptedCloud.ts).
 */

/** The generalized VM the example requests capture. */
export const BUILD_VM = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`;

/**
 * An example request whose pools are all new (no `replaces`: nothing to cut over), after `edit`.
 * The example is the three-region one unless named.
 */
export function newPoolsRequest(
  edit?: (input: Record<string, any>) => void,
  example = 'three-regions-3000-nodes',
): BuildRequest {
  const input = exampleInput(example) as Record<string, any>;
  input.pools.forEach((p: Record<string, unknown>) => delete p.replaces);
  edit?.(input);
  return buildRequestSchema.parse(input);
}

/** Starts the pipeline for `request` under its own instance id (pipelineInstanceId); that id. */
export function startPipeline(
  engine: DurableEngine,
  request: BuildRequest,
  settings: OrchestrationSettings = DEFAULT_ORCHESTRATION_SETTINGS,
): string {
  const input: PipelineInput = { request, settings };
  const id = pipelineInstanceId(request.requestId);
  engine.startNew(ORCHESTRATORS.imagePipeline, id, input);
  return id;
}

/** Starts the pipeline and waits until it completes or fails; its final status. */
export function runPipeline(engine: DurableEngine, request: BuildRequest, settings?: OrchestrationSettings) {
  return engine.waitFor(startPipeline(engine, request, settings), ['Completed', 'Failed'], 50_000);
}
