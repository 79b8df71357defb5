import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { readScenario } from '../../src/local/simulator/scenario';
import { smallRequest } from './requests';

/**
 * kill -9 of the host at five points of a pipeline, then restart: it completes, nothing is created
 * twice, and every event is delivered once with a stable message id.
 */
jest.setTimeout(300_000);
let world: TestWorld;
useFileWorld(
  () => {
    const scenario = readScenario('demo');
    scenario.timing = { replicationMinutes: { westeurope: 12 } };
    return { speed: 120, scenario };
  },
  (w) => (world = w),
);

type Probe = (view: any) => boolean;
const POINTS: [string, Probe][] = [
  ['right after the message is taken (preflight)', () => true],
  ['while snapshotting', (v) => v?.pipeline?.stage === 'snapshot'],
  [
    'just after the version was created, as region rollouts start',
    (v) =>
      ['version', 'rollout'].includes(v?.pipeline?.stage) &&
      (v?.regions?.[0]?.replication?.progress ?? 0) < 10,
  ],
  [
    'mid-replication',
    (v) => v?.regions?.[0]?.replication?.state === 'Replicating' && v.regions[0].replication.progress > 10,
  ],
  // The pool's line reads 'allocating' from its creation until it is steady; allocationState may never read
  // 'resizing' when learned pacing's first poll lands near the expected end of the allocation.
  ['while the pool allocates', (v) => v?.regions?.[0]?.pools?.[0]?.state === 'allocating'],
];

describe('kill -9 and restart', () => {
  it.each(POINTS.map(([name, probe], i) => [name, probe, 31 + i] as const))('%s', async (_name, probe, n) => {
    const requestId = `rel-${n}`;
    const seqBefore = world.simulator.recorder.lastSeq;
    await world.enqueue(JSON.stringify(smallRequest(n)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { status, body } = await world.getJson(`/api/builds/${requestId}`);
      if ((status === 200 && probe(body)) || (n === 31 && Date.now() > deadline - 59_900)) break;
      if (Date.now() > deadline) throw new Error(`never reached the kill point: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await world.killHost();
    await world.startHost();
    const status = await world.waitForStatus(pipelineInstanceId(requestId), ['Completed', 'Failed'], 180_000);
    expect(status.runtimeStatus).toBe('Completed');

    const calls = world.simulator.recorder.since(seqBefore);
    const created = (re: RegExp, codes: number[]) =>
      calls.filter((c) => c.method === 'PUT' && re.test(c.path) && codes.includes(c.status));
    expect(created(/\/snapshots\/bif-rel-\d+-os\?/, [201, 202])).toHaveLength(1); // a re-PUT after the crash answers 200
    expect(created(new RegExp(`/versions/5\\.0\\.${n}\\?`), [201])).toHaveLength(1);
    // Pools are created through the management plane (PUT .../batchAccounts/{a}/pools/{p}).
    expect(created(/\/batchAccounts\/[^/]+\/pools\/[^/?]+\?/, [200])).toHaveLength(1);

    const events = (await world.receiveEvents(100, 1000)).filter(
      (m) => (m.body as { data: { requestId: string } }).data.requestId === requestId,
    );
    const ids = events.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const types = events.map((m) => (m.body as { type: string }).type.replace('BatchImageFactory.', ''));
    for (const t of [
      'Pipeline.Accepted',
      'Image.Published',
      'Region.Replicated',
      'Pool.Ready',
      'Pipeline.Completed',
    ])
      expect(types.filter((x) => x === t)).toHaveLength(1);
  });
});
