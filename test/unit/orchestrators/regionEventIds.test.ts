import { TransientError } from '../../../src/domain/errors';
import { EVENT_TYPES, type CloudEvent } from '../../../src/domain/events';
import { startScriptedEngine, stopScriptedEngines } from '../../helpers/scriptedCloud';
import { BUILD_VM as VM, newPoolsRequest, runPipeline } from '../../helpers/pipelineRuns';

/**
 * Region children's event ids on the real orchestrators: a re-send of the same event (the publish
 * activity retried after Service Bus took the message but the answer was lost) keeps its id, so
 * duplicate detection drops only the copy; a new execution of the same instance gets new ids.
 */
jest.setTimeout(60_000);
afterEach(stopScriptedEngines);

const request = (version: string) =>
  newPoolsRequest((input) => {
    input.image.version = version;
  }, 'one-region-small');

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
    return runPipeline(engine, request(version));
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
