import { startTestWorld, type TestWorld } from './world';
import { exampleInput } from './requests';
import { readScenario } from '../../src/local/simulator/scenario';
import { pipelineInstanceId } from '../../src/domain/pipeline';

/**
 * The cutover e2e world: the demo scenario with the West Europe account's standardDSv5Family quota at
 * 120 cores, which holds one 20-node D4s_v5 pool (80 cores) but not two, so a successor of a 20-node
 * pool there is planned shrink-old-first.
 */
const WEU =
  '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-batch-weu/providers/Microsoft.Batch/batchAccounts/batchrenderweu';
export const DSV5_FAMILY = 'standardDSv5Family';

/** Starts the world (simulator and host) with that quota. */
export async function startWeuCutoverWorld(): Promise<TestWorld> {
  const scenario = readScenario('demo');
  const weu = scenario.batchAccounts!.find((a) => a.id === WEU)!;
  weu.dedicatedCoreQuotaPerVMFamily = [{ name: DSV5_FAMILY, coreQuota: 120 }];
  const world = await startTestWorld({ scenario });
  await world.startHost();
  return world;
}

/** A one-region request for a new 20-node pool in West Europe (`pool` overrides), with its cutover. */
export function cutoverRequest(
  requestId: string,
  pool: Record<string, unknown>,
  cutover?: Record<string, unknown>,
) {
  const input = exampleInput('one-region-small') as Record<string, any>;
  input.requestId = requestId;
  input.image.version = 'auto';
  const base = { ...input.pools[0] };
  delete base.replaces;
  input.pools = [{ ...base, targetDedicatedNodes: 20, ...pool }];
  if (cutover) input.cutover = cutover;
  return input;
}

/** Submits a request through the queue and waits for its pipeline to end. */
async function runRequest(world: TestWorld, input: Record<string, any>) {
  await world.enqueue(JSON.stringify(input));
  return world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 100_000);
}

/** The events published so far for one request. */
const eventsFor = async (world: TestWorld, requestId: string) =>
  (await world.receiveEvents(100, 1500))
    .map((m) => m.body as any)
    .filter((e) => e.data.requestId === requestId);

/** The simulated West Europe Batch account. */
const weuAccount = (world: TestWorld) => world.simulator.world.state.batchAccounts.batchrenderweu!;

/**
 * The steps a cutover e2e file takes on its one world (set in its beforeAll, hence the getter): submit
 * and wait, read a request's events, look at the West Europe account.
 */
export function cutoverSteps(world: () => TestWorld) {
  return {
    run: (input: Record<string, any>) => runRequest(world(), input),
    eventsOf: (requestId: string) => eventsFor(world(), requestId),
    account: () => weuAccount(world()),
  };
}
