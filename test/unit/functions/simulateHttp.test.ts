import { HttpRequest, InvocationContext } from '@azure/functions';
import { simulateHandler } from '../../../src/functions/simulateHttp';
import type { WhatIfReport } from '../../../src/domain/timings/report';
import type { TimingObservation } from '../../../src/domain/timings/observation';
import { NO_TIMINGS } from '../../../src/ports/timings';
import { exampleInput } from '../../helpers/requests';

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
