import { HttpRequest, InvocationContext } from '@azure/functions';
import { simulateHandler } from '../../../src/functions/simulateHttp';
import type { WhatIfReport } from '../../../src/domain/timings/report';
import type { TimingObservation } from '../../../src/domain/timings/observation';
import { NO_TIMINGS } from '../../../src/ports/timings';
import { exampleInput } from '../../helpers/requests';
import { observationOf } from '../../../src/domain/timings/observation';
import { TIMING } from '../../../src/domain/timings/model';

const post = (body: unknown) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://127.0.0.1:7071/api/simulate',
    headers: { 'content-type': 'application/json' },
    body: { string: JSON.stringify(body) },
  });
const context = new InvocationContext();
const clock = { now: () => new Date('2026-11-28T00:00:00Z') };
const request = exampleInput('three-regions-3000-nodes');

const slowEastUs: TimingObservation = {
  region: 'eastus',
  requestId: 'earlier',
  observedAt: '2026-11-27T00:00:00Z',
  replicaCount: 4,
  nodes: 1000,
  replicationMs: 6 * 60 * 60_000,
  allocationMs: 13 * 60_000,
  nodesPerMinute: 100,
};

describe('POST /api/simulate (the timing model, in the Function App)', () => {
  it('predicts per region and for the barrier, from the built-in model without history', async () => {
    const response = await simulateHandler(post(request), context, { clock, timings: NO_TIMINGS });
    expect(response.status).toBe(200);
    const report = response.jsonBody as WhatIfReport;
    expect(report.timingsFrom).toBe('built-in model');
    expect(report.method).toBe('model');
    expect(report.perRegion.lanes.map((l) => l.region)).toEqual([
      'westeurope',
      'eastus',
      'southeastasia',
      'northeurope',
    ]);
    expect(report.barrier.makespanMs).toBeGreaterThanOrEqual(report.perRegion.makespanMs);
  });

  it('uses what was learned for the regions, and says so', async () => {
    const timings = { record: async () => undefined, recent: async () => [slowEastUs] };
    const report = (await simulateHandler(post(request), context, { clock, timings }))
      .jsonBody as WhatIfReport;
    expect(report.timingsFrom).toBe('learned from 1 run (eastus)');
    expect(report.perRegion.criticalRegion).toBe('eastus');
  });

  it('still answers from the model when the history cannot be read, with a warning', async () => {
    const timings = {
      record: async () => undefined,
      recent: async () => Promise.reject(new Error('403 AuthorizationPermissionMismatch')),
    };
    const response = await simulateHandler(post(request), context, { clock, timings });
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({
      timingsFrom: 'built-in model',
      warning: expect.stringContaining('403'),
    });
  });

  it('answers 422 with the findings of an invalid request', async () => {
    const response = await simulateHandler(post({ requestId: 'x' }), context, { clock, timings: NO_TIMINGS });
    expect(response.status).toBe(422);
  });
});

describe('POST /api/simulate with a recorded history', () => {
  it('with a recorded run as history, predicts that run’s makespan within 20 % (its image size, gate and retirement)', async () => {
    // A run of this request recorded as the pipeline records it: a 128 GiB image, regions starting
    // once the source was captured, each with its replication, allocation, gate and retirement.
    const T0 = Date.parse('2026-11-27T00:00:00Z');
    const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
    const regionsStart = 4.1;
    const recorded = [
      { region: 'westeurope', replicaCount: 12, nodes: 3000, minutes: [40, 33, 2, 20] },
      { region: 'eastus', replicaCount: 2, nodes: 400, minutes: [55, 7, 2, 0] },
      { region: 'southeastasia', replicaCount: 1, nodes: 250, minutes: [70, 5.5, 2, 0] },
    ];
    const history = recorded.map(({ region, replicaCount, nodes, minutes: [rep, alloc, gate, retire] }) => {
      const replicated = regionsStart + rep!;
      const ready = replicated + alloc!;
      const gated = ready + gate!;
      return observationOf(
        'recorded-1',
        { region, replicaCount, nodes },
        {
          startedAt: at(regionsStart),
          replicatedAt: at(replicated),
          poolsReadyAt: at(ready),
          gatedAt: at(gated),
          ...(retire ? { retiredAt: at(gated + retire!) } : {}),
        },
        { imageSizeGb: 128, poolStartupMs: TIMING.poolStartupMs },
      )!;
    });
    const observedMinutes = Math.max(
      ...recorded.map((r) => regionsStart + r.minutes.reduce((a, b) => a + b, 0)),
    );
    const timings = { record: async () => undefined, recent: async () => history };
    const report = (await simulateHandler(post(request), context, { clock, timings }))
      .jsonBody as WhatIfReport;
    expect(report.perRegion.criticalRegion).toBe('westeurope');
    expect(Math.abs(report.perRegion.makespanMinutes - observedMinutes) / observedMinutes).toBeLessThan(0.2);
    const westeurope = report.perRegion.lanes.find((l) => l.region === 'westeurope')!;
    expect(westeurope.phases.map((p) => p.name)).toEqual([
      'prepare',
      'replication',
      'pools',
      'gate',
      'retirement',
    ]);
  });
});
