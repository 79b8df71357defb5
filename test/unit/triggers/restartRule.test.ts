import { submitBuild } from '../../../src/triggers/intake';
import { DEFAULT_ORCHESTRATION_SETTINGS, pipelineInstanceId } from '../../../src/domain/pipeline';
import type { DurableStarter } from '../../../src/triggers/starter';
import { FakeWorld } from '../../helpers/fakes';
import { exampleInput } from '../../helpers/requests';

/** Issue #16 item 4: which existing instance a resubmitted request may replace, status by status. */
function world(existing: string | undefined) {
  const w = new FakeWorld();
  const started: string[] = [];
  const starter: DurableStarter = {
    endEarlierChildren: async () => [],
    runtimeStatus: async () => existing,
    start: async (_name, id) => (started.push(id), 'started'),
  };
  const deps = {
    starter,
    events: w.events,
    clock: { now: () => w.now },
    log: { info: () => undefined, warn: () => undefined },
    settings: DEFAULT_ORCHESTRATION_SETTINGS,
  };
  return { deps, started };
}
const id = pipelineInstanceId('render-small-2026-11-28');

describe('restart rule', () => {
  it.each(['Failed', 'Terminated', 'Canceled'])(
    'a %s build starts again with the new request',
    async (status) => {
      const { deps, started } = world(status);
      const result = await submitBuild(JSON.stringify(exampleInput()), deps);
      expect(result).toMatchObject({ outcome: 'restarted', instanceId: id, previousStatus: status });
      expect(started).toEqual([id]);
    },
  );

  it.each(['Pending', 'Running', 'Completed', 'Suspended', 'ContinuedAsNew'])(
    'a %s build is left alone',
    async (status) => {
      const { deps, started } = world(status);
      const result = await submitBuild(JSON.stringify(exampleInput()), deps);
      expect(result).toEqual({ outcome: 'duplicate', instanceId: id, runtimeStatus: status });
      expect(started).toEqual([]);
    },
  );

  it('a new request starts', async () => {
    const { deps, started } = world(undefined);
    expect(await submitBuild(JSON.stringify(exampleInput()), deps)).toMatchObject({ outcome: 'started' });
    expect(started).toEqual([id]);
  });
});
