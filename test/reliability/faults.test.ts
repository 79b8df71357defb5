import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import type { FaultRule } from '../../src/local/simulator/faults';
import { readScenario } from '../../src/local/simulator/scenario';
import { smallRequest } from './requests';

/**
 * The fault matrix: each injected fault ends in the correct result or a clear failure event.
 * Faults are global in the simulator, so the pipelines run one after another.
 */
let world: TestWorld;
useFileWorld(
  () => {
    const scenario = readScenario('demo');
    scenario.timing = { replicationMinutes: { westeurope: 20 } };
    return { speed: 600, scenario };
  },
  (w) => (world = w),
);

async function runWith(n: number, faults: FaultRule[]) {
  world.simulator.world.state.faults = [];
  for (const f of faults) world.simulator.addFault(f);
  await world.enqueue(JSON.stringify(smallRequest(n)));
  const status = await world.waitForStatus(pipelineInstanceId(`rel-${n}`), ['Completed', 'Failed'], 120_000);
  const events = (await world.receiveEvents(100, 800)).map(
    (m) => m.body as { type: string; data: Record<string, any> },
  );
  world.simulator.world.state.faults = [];
  return { status, events, failed: events.find((e) => e.type.endsWith('Pipeline.Failed'))?.data };
}

/** Faults the pipeline rides out: name, request number, faults. */
const RECOVER: [string, number, FaultRule[]][] = [
  [
    '429 with Retry-After on replication reads',
    1,
    [
      {
        kind: 'throttle',
        service: 'arm',
        pathContains: '/versions/',
        method: 'GET',
        times: 3,
        retryAfterSeconds: 1,
      },
    ],
  ],
  [
    '500 on snapshot calls',
    2,
    [{ kind: 'status', status: 500, service: 'arm', pathContains: '/snapshots/', times: 2 }],
  ],
  ['503 from Batch', 3, [{ kind: 'status', status: 503, service: 'batch', times: 3, code: 'ServerBusy' }]],
  [
    'connection resets on gallery calls',
    4,
    [{ kind: 'reset', service: 'arm', pathContains: '/galleries/', times: 2 }],
  ],
  [
    'a region whose replication fails once',
    5,
    [{ kind: 'regionReplicationFail', region: 'westeurope', times: 1, atFraction: 0.4 }],
  ],
];

/** Faults that end the pipeline with a clear reason: name, request number, faults, reason. */
const FAIL: [string, number, FaultRule[], RegExp][] = [
  [
    'an LRO that fails (snapshot)',
    6,
    [{ kind: 'lroFail', pathContains: 'snapshots/bif-rel-6-os', message: 'Disk copy failed.' }],
    /snapshot.*failed to provision/,
  ],
  [
    'a region that never replicates',
    7,
    [{ kind: 'regionReplicationFail', region: 'westeurope', times: 10, atFraction: 0.2 }],
    /region westeurope: replication failed.*after 3 attempts/,
  ],
  [
    'a pool that cannot allocate',
    8,
    [
      {
        kind: 'poolAllocationFail',
        poolId: 'rel-pool-8',
        code: 'AllocationFailed',
        message: 'No capacity for Standard_D4s_v5.',
        atFraction: 0,
      },
    ],
    /pool rel-pool-8: AllocationFailed: No capacity/,
  ],
  [
    'a permanent 4xx from ARM',
    9,
    [
      {
        kind: 'status',
        status: 403,
        service: 'arm',
        pathContains: '/galleries/galHpcImages/images/rel-image',
        method: 'GET',
        times: 50,
        code: 'AuthorizationFailed',
        message:
          "The client does not have authorization to perform action 'Microsoft.Compute/galleries/images/read'.",
      },
    ],
    /AuthorizationFailed.*Grant the managed identity/,
  ],
];

describe('fault matrix', () => {
  it.each(RECOVER)('%s → completes', async (_name, n, faults) => {
    const { status, events } = await runWith(n, faults);
    expect(status.runtimeStatus).toBe('Completed');
    expect(events.map((e) => e.type.replace('BatchImageFactory.', ''))).toContain('Pipeline.Completed');
    if (n === 5) expect(events.find((e) => e.type.endsWith('Region.Replicated'))!.data.attempts).toBe(2);
  });

  it.each(FAIL)('%s → a clear Pipeline.Failed', async (_name, n, faults, reason) => {
    const { status, failed } = await runWith(n, faults);
    expect(status.runtimeStatus).toBe('Failed');
    expect(failed).toBeDefined();
    expect(failed!.reason).toMatch(reason);
  });
});
