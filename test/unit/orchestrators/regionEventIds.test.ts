import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  ORCHESTRATORS,
  pipelineInstanceId,
  type PipelineInput,
} from '../../../src/domain/pipeline';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { TransientError } from '../../../src/domain/errors';
import { EVENT_TYPES, type CloudEvent } from '../../../src/domain/events';
import { startScriptedEngine, stopScriptedEngines } from '../../helpers/scriptedCloud';
import { exampleInput, SUB_A } from '../../helpers/requests';

/**
 * Region children's event ids on the real orchestrators: a re-send of the same event (the publish
 * activity retried after Service Bus took the message but the answer was lost) keeps its id, so
 * duplicate detection drops only the copy; a new execution of the same instance gets new ids.
 */
jest.setTimeout(60_000);
const VM = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`;
afterEach(stopScriptedEngines);

function request(version: string) {
  const input = exampleInput() as Record<string, any>;
  input.pools.forEach((p: Record<string, unknown>) => delete p.replaces);
  input.image.version = version;
  return buildRequestSchema.parse(input);
}

it('a retried publish re-sends Region.Replicated with the same id; a restarted run publishes new ids', async () => {
  const { cloud, engine } = startScriptedEngine(VM);
  const send = cloud.events.publish.bind(cloud.events);
  let lostAnswers = 1;
  cloud.events = {
    publish: async (events, options) => {
      await send(events, options);
      if (events.some((e) => e.type === EVENT_TYPES.regionReplicated) && lostAnswers-- > 0)
        throw new TransientError(
          'Injected: the broker took the message, its answer was lost.',
          'ServiceUnavailable',
        );
    },
  };
  const run = async (version: string) => {
    const r = request(version);
    const input: PipelineInput = { request: r, settings: DEFAULT_ORCHESTRATION_SETTINGS };
    const id = pipelineInstanceId(r.requestId);
    engine.startNew(ORCHESTRATORS.imagePipeline, id, input);
    return engine.waitFor(id, ['Completed', 'Failed'], 50_000);
  };
  const ofType = (type: string) => cloud.published.filter((e: CloudEvent) => e.type === type);

  expect((await run('9.0.1')).runtimeStatus).toBe('Completed');
  const first = ofType(EVENT_TYPES.regionReplicated);
  const firstReady = ofType(EVENT_TYPES.poolReady);
  expect(first).toHaveLength(2);
  expect(first[1]!.id).toBe(first[0]!.id);

  expect((await run('9.0.2')).runtimeStatus).toBe('Completed');
  const ready = ofType(EVENT_TYPES.poolReady);
  expect(ready.length).toBe(2 * firstReady.length);
  // Same instance, same pools (same subjects): the second execution's ids are its own.
  const firstIds = new Set(firstReady.map((e) => e.id));
  expect(ready.slice(firstReady.length).filter((e) => firstIds.has(e.id))).toEqual([]);
});
