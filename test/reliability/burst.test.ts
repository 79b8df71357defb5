import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { rawRequest } from '../helpers/simulator';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import type { RecordedRequest } from '../../src/local/simulator/recorder';
import { smallRequest } from './requests';

/**
 * Fifty builds of ONE image definition submitted 40 ms apart, each with its own pool: half name their
 * version, half ask for "auto", and retention keeps only 2. Before the definition ledger, builds
 * deleted each other's versions (pools failed, or ended on a deleted version) and "auto" builds
 * picked the same version.
 */
// The deadline is a bound on waiting, not a speed check (the wall time is printed): the burst keeps
// a core busy, and beside the other files of a parallel run on two busy cores it once ran past 110 s.
jest.setTimeout(300_000);
const BUILDS = 50;
const DEFINITION = 'burst-image';

let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

function burstRequest(i: number) {
  return smallRequest(`burst-${i}`, (input) => {
    input.image.definition = DEFINITION;
    // Explicit versions are x.i.0; "auto" takes the next patch, so the two kinds never ask for one version.
    input.image.version = i % 2 === 0 ? `7.${i}.0` : 'auto';
    input.pools[0].poolId = `burst-pool-${i}`;
    input.pools[0].targetDedicatedNodes = 2;
    input.retention = { keepVersions: 2 };
  });
}

describe('a burst of builds of one definition', () => {
  it('all complete, with distinct versions, and every pool ends on a version that exists', async () => {
    const started = Date.now();
    const firstSeq = world.simulator.recorder.lastSeq;
    for (let i = 0; i < BUILDS; i++) {
      await world.enqueue(JSON.stringify(burstRequest(i)));
      await new Promise((r) => setTimeout(r, 40));
    }
    const finals = await Promise.all(
      Array.from({ length: BUILDS }, (_, i) =>
        world.waitForStatus(
          pipelineInstanceId(`rel-burst-${i}`),
          ['Completed', 'Failed', 'Terminated'],
          240_000,
        ),
      ),
    );
    const wallMs = Date.now() - started;
    const failed = finals.filter((s) => s.runtimeStatus !== 'Completed');
    const recorded = (await rawRequest(world.simulator, 'GET', `/_sim/requests?since=${firstSeq}`)).body as {
      requests: RecordedRequest[];
    };
    const requests = recorded.requests.filter((r) => r.service !== 'control');
    console.log(
      `burst: ${BUILDS} builds of one definition in ${(wallMs / 1000).toFixed(1)} s wall; ` +
        `${BUILDS - failed.length} completed, ${failed.length} failed; ` +
        `${requests.length} simulator requests (${(requests.length / BUILDS).toFixed(1)} per pipeline: ` +
        `${requests.filter((r) => r.service === 'arm').length} ARM, ${requests.filter((r) => r.service === 'batch').length} Batch)`,
    );
    expect(failed.map((s) => `${s.instanceId}: ${JSON.stringify(s.output)?.slice(0, 300)}`)).toEqual([]);

    const versions = finals.map((s) => s.customStatus?.version as string);
    expect(new Set(versions).size).toBe(BUILDS);

    const state = world.simulator.world.state;
    const exists = (id: string) => {
      const r = state.resources[id.toLowerCase()];
      return r !== undefined && r.deletingAtSimMs === undefined;
    };
    const pools = Object.values(state.batchAccounts).flatMap((a) =>
      Object.values(a.pools)
        .filter((p) => p.id.startsWith('burst-pool-'))
        .map((p) => ({
          id: p.id,
          image: String(
            (p.spec.virtualMachineConfiguration as { imageReference: { virtualMachineImageId: string } })
              .imageReference.virtualMachineImageId,
          ),
        })),
    );
    expect(pools).toHaveLength(BUILDS);
    expect(pools.filter((p) => !exists(p.image))).toEqual([]);
    const deleted = requests
      .filter((r) => r.method === 'DELETE' && /\/versions\//i.test(r.path))
      .map((r) => r.path.split('?')[0]!.toLowerCase());
    expect(deleted.filter((d) => pools.some((p) => p.image.toLowerCase() === d))).toEqual([]);
  });
});
