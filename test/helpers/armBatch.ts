import { BatchManagementClient } from '@azure/arm-batch';
import { SimulatorCredential } from '../../src/azure/credentials';
import type { RunningSimulator, SimulatorOptions } from '../../src/local/simulator/simulator';
import { RG, SUB, publishVersion, startTestSimulator } from './simulator';

/**
 * The Batch management plane of the simulator through the real @azure/arm-batch client, for the tests of
 * the rules Batch enforces there (pools, quotas, security types).
 */

/** The test scenario's West Europe Batch account (testScenario), by its ARM id. */
export const WEU_ACCOUNT = `${RG('rg-batch-weu')}/providers/Microsoft.Batch/batchAccounts/batchrenderweu`;

/** The client with no SDK retries: a test sees each answer the simulator gives, throttling included. */
export function armBatchClient(sim: RunningSimulator, principal: string): BatchManagementClient {
  return new BatchManagementClient(new SimulatorCredential(principal), SUB, {
    endpoint: sim.armUrl,
    tlsOptions: { ca: sim.caCert },
    retryOptions: { maxRetries: 0 },
  });
}

/**
 * A simulator without throttling (with `options`), its West Europe account through ARM (`arm`, as
 * `principal`) and the data plane (`data`), and an image version `version` published to pool from.
 */
export async function startArmBatchWorld(principal: string, version: string, options: SimulatorOptions = {}) {
  const started = await startTestSimulator({ throttling: false, ...options });
  return {
    ...started,
    data: started.batch('batchrenderweu'),
    arm: armBatchClient(started.sim, principal),
    versionId: await publishVersion(started.sim, started.compute, { version }),
  };
}
