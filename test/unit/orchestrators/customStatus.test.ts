import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import type { OrchestrationContext } from 'durable-functions';
import { DurableEngine } from '../../../src/local/host/durable/engine';
import { VirtualClock } from '../../../src/local/clock';
import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  ORCHESTRATORS,
  pipelineInstanceId,
  type PipelineInput,
} from '../../../src/domain/pipeline';
import { buildRequestSchema, type BuildRequest } from '../../../src/domain/buildRequest';
import { customStatusBytes } from '../../../src/local/host/durable/customStatusLimit';
import type { ScriptedCloud } from '../../helpers/scriptedCloud';
import { startScriptedEngine, stopScriptedEngines } from '../../helpers/scriptedCloud';
import { exampleInput, SUB_A } from '../../helpers/requests';

/**
 * Durable Functions fails an orchestration whose custom status is over 16 KB of UTF-16 JSON (and with it
 * whatever that episode would have done, such as publishing Pipeline.Failed). The embedded engine does the
 * same; the orchestrators keep every status bounded whatever the request's size.
 */
jest.setTimeout(120_000);
afterEach(stopScriptedEngines);
const LIMIT_BYTES = 17 * 1024; // the extension truncates to whole KB: 16 KB + 1023 bytes still passes

describe('the embedded engine enforces the 16 KB custom status limit like the Durable extension', () => {
  const engines: DurableEngine[] = [];
  afterEach(async () => Promise.all(engines.splice(0).map((e) => e.stop())));

  function engineWith(statusChars: number) {
    const engine = new DurableEngine({ dbPath: ':memory:', clock: new VirtualClock({ speed: 1000 }) });
    engines.push(engine);
    let activityRuns = 0;
    engine.registerActivity('work', async () => {
      activityRuns += 1;
      return 'done';
    });
    engine.registerOrchestrator(
      'big',
      createOrchestrator(function* (context: OrchestrationContext) {
        context.df.setCustomStatus('x'.repeat(statusChars - 2)); // JSON adds the two quotes
        const result: unknown = yield context.df.callActivity('work');
        return result;
      }) as never,
    );
    engine.start();
    return { engine, runs: () => activityRuns };
  }

  it('fails the instance with the extension’s message and schedules nothing from that episode', async () => {
    const { engine, runs } = engineWith(LIMIT_BYTES / 2); // exactly 17 KB
    engine.startNew('big', 'too-big', undefined);
    const status = await engine.waitFor('too-big', ['Completed', 'Failed'], 10_000);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toBe(
      "Orchestrator function 'big' failed: The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.",
    );
    expect(runs()).toBe(0);
  });

  it('accepts a status just under the truncated limit', async () => {
    const { engine, runs } = engineWith(LIMIT_BYTES / 2 - 1);
    engine.startNew('big', 'fits', undefined);
    const status = await engine.waitFor('fits', ['Completed', 'Failed'], 10_000);
    expect(status.runtimeStatus).toBe('Completed');
    expect(runs()).toBe(1);
  });
});

describe('bounded custom status with the largest request the schema allows', () => {
  const VM = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`;
  /** Azure has about 60 public regions; names up to the pattern's 41 characters. */
  const EXTRA_REGIONS = Array.from(
    { length: 60 },
    (_, i) => `region${String(i).padStart(2, '0')}${'x'.repeat(33)}`,
  );
  const longest = (prefix: string, n: number, length: number) =>
    `${prefix}${String(n).padStart(3, '0')}`.padEnd(length, 'z');

  /** 100 pools (the schema's maximum) with 64-character ids, all in one region, 60 more regions. */
  function largestRequest() {
    const input = exampleInput('three-regions-3000-nodes') as Record<string, any>;
    const template = input.pools[0];
    delete template.replaces;
    input.requestId = longest('r', 0, 100);
    input.replication.extraRegions = EXTRA_REGIONS;
    input.pools = Array.from({ length: 100 }, (_, i) => ({
      ...template,
      poolId: longest('pool', i, 64),
      targetDedicatedNodes: 10,
    }));
    return buildRequestSchema.parse(input);
  }

  async function run(prepare?: (cloud: ScriptedCloud, request: BuildRequest) => void) {
    const world = startScriptedEngine(VM);
    const request = largestRequest();
    prepare?.(world.cloud, request);
    const id = pipelineInstanceId(request.requestId);
    const input: PipelineInput = { request, settings: DEFAULT_ORCHESTRATION_SETTINGS };
    world.engine.startNew(ORCHESTRATORS.imagePipeline, id, input);
    const status = await world.engine.waitFor(id, ['Completed', 'Failed'], 100_000);
    // The child's id carries the parent's execution stamp, and a 100-character requestId makes it end
    // in a hash: find it among the instances by the region its status names.
    const regionId = world.engine
      .list()
      .find(
        (i) =>
          i.instanceId !== id && (i.customStatus as { region?: string } | undefined)?.region === 'westeurope',
      )!.instanceId;
    const region = world.engine.status(regionId);
    return { ...world, id, status, region };
  }

  it('completes, with every status under 16 KB and counts for what it does not list', async () => {
    const { cloud, status, region } = await run();
    expect(String(status.output)).not.toMatch(/must not exceed 16 KB/);
    expect(status.runtimeStatus).toBe('Completed');
    expect(cloud.published.at(-1)?.type).toMatch(/Pipeline\.Completed$/);
    expect(customStatusBytes(status.customStatus)).toBeLessThan(LIMIT_BYTES);
    expect(customStatusBytes(region?.customStatus)).toBeLessThan(LIMIT_BYTES);
    const pipeline = status.customStatus as Record<string, any>;
    expect(pipeline.poolsTotal).toBe(100);
    expect(pipeline.regionsTotal).toBe(61);
    expect(pipeline.pools.length).toBeLessThan(100);
    expect(pipeline.outcome.counts).toEqual({
      regionsReplicated: 61,
      regionsFailed: 0,
      poolsReady: 100,
      poolsFailed: 0,
    });
    const child = region!.customStatus as Record<string, any>;
    expect(child.poolsTotal).toBe(100);
    expect(child.poolCounts).toEqual({ ready: 100 });
    expect(child.pools.length).toBeLessThan(100);
  });

  it('still publishes Pipeline.Failed, with a bounded error in the status, when every pool fails at length', async () => {
    const longError = `The node agent SKU does not match the image. ${'detail '.repeat(300)}`;
    const { cloud, status, region } = await run((c, request) => {
      for (const pool of request.pools) c.permanentPoolErrors[pool.poolId] = longError;
    });
    expect(String(status.output)).not.toMatch(/must not exceed 16 KB/);
    expect(status.runtimeStatus).toBe('Failed');
    const failed = cloud.published.find((e) => e.type.endsWith('Pipeline.Failed'));
    expect(failed).toBeDefined();
    expect(customStatusBytes(status.customStatus)).toBeLessThan(LIMIT_BYTES);
    expect(customStatusBytes(region?.customStatus)).toBeLessThan(LIMIT_BYTES);
    const pipeline = status.customStatus as Record<string, any>;
    expect(pipeline.stage).toBe('failed');
    expect(pipeline.error.length).toBeLessThan(2_100);
    expect(pipeline.error).toMatch(/more characters\)$/);
    expect(pipeline.outcome.counts.poolsFailed).toBe(100);
    // The event names the first failures and counts the rest: it must fit a Service Bus message.
    const reason = (failed!.data as { reason: string }).reason;
    expect(reason).toMatch(/; and 80 more$/);
    expect(reason.length).toBeLessThan(16_000);
  });
});
