import { expectTimings, recordTimings } from '../../../src/activities/timings';
import type { Services } from '../../../src/activities/services';
import type { TimingObservation } from '../../../src/domain/timings/observation';
import type { TimingsPort } from '../../../src/ports/timings';

const MIN = 60_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 29) + minutes * MIN).toISOString();
const VERSION =
  '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/x/images/y/versions/1.0.0';

function services(timings: TimingsPort, sizeGb?: number): Services {
  return {
    timings,
    gallery: { getReplication: async () => ({ sizeGb }) },
  } as unknown as Services;
}

function memory(): TimingsPort & { kept: TimingObservation[] } {
  const kept: TimingObservation[] = [];
  return { kept, record: async (o) => void kept.push(...o), recent: async () => kept };
}

const input = {
  requestId: 'render-1',
  versionId: VERSION,
  regions: [
    {
      facts: { region: 'westeurope', replicaCount: 12, nodes: 3000, vmSize: 'Standard_D4s_v5' },
      timeline: { startedAt: at(0), replicatedAt: at(30), poolsReadyAt: at(63) },
    },
    { facts: { region: 'eastus', replicaCount: 1, nodes: 0 }, timeline: { startedAt: at(0) } },
  ],
};

describe('recordTimings and expectTimings', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('records one observation per region that replicated, with the image size the gallery reports', async () => {
    const store = memory();
    expect(await recordTimings(services(store, 192), input)).toEqual({ recorded: 1 });
    expect(store.kept).toEqual([
      expect.objectContaining({
        region: 'westeurope',
        imageSizeGb: 192,
        replicationMs: 30 * MIN,
        nodesPerMinute: 100,
      }),
    ]);
  });

  it('never fails the pipeline: a store that refuses is a warning', async () => {
    const refusing: TimingsPort = {
      record: () => Promise.reject(new Error('403 AuthorizationFailure')),
      recent: async () => [],
    };
    const result = await recordTimings(services(refusing), input);
    expect(result).toEqual({ recorded: 0, warning: expect.stringContaining('403 AuthorizationFailure') });
    expect(console.warn).toHaveBeenCalledWith(result.warning);
  });

  it('expects from the history of the asked regions; none (or an unreadable store) is no expectation', async () => {
    const store = memory();
    await recordTimings(services(store, 192), input);
    const asks = [{ region: 'westeurope', replicaCount: 12, nodes: 3000 }];
    expect((await expectTimings(services(store), { asks })).expectations.westeurope).toMatchObject({
      replicationMs: 30 * MIN,
      allocationMs: 33 * MIN,
    });
    const unreadable: TimingsPort = {
      record: async () => undefined,
      recent: () => Promise.reject(new Error('timeout')),
    };
    expect(await expectTimings(services(unreadable), { asks })).toEqual({
      expectations: {},
      warning: expect.stringContaining('timeout'),
    });
  });
});
