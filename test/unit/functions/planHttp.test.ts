import { HttpRequest, InvocationContext } from '@azure/functions';
import { planHandler } from '../../../src/functions/planHttp';
import { exampleInput } from '../../helpers/requests';

const post = (body: string, contentType = 'application/json') =>
  new HttpRequest({
    method: 'POST',
    url: 'http://127.0.0.1:7071/api/plan',
    headers: { 'content-type': contentType },
    body: { string: body },
  });
const context = new InvocationContext();
const clock = { now: jest.fn(() => new Date('2026-11-28T00:00:00Z')) };

describe('POST /api/plan', () => {
  beforeEach(() => clock.now.mockClear());

  it('answers 200 with the plan for a valid request', async () => {
    const response = await planHandler(
      post(JSON.stringify(exampleInput('three-regions-3000-nodes'))),
      context,
      clock,
    );
    expect(response.status).toBe(200);
    expect((response.jsonBody as { regions: unknown[] }).regions).toHaveLength(4);
  });

  it('answers 422 with findings for an invalid one', async () => {
    const response = await planHandler(post('{"requestId": "x"}'), context, clock);
    expect(response.status).toBe(422);
    const body = response.jsonBody as { valid: boolean; findings: { path: string }[] };
    expect(body.valid).toBe(false);
    expect(body.findings.map((f) => f.path)).toEqual(expect.arrayContaining(['source', 'image']));
  });

  it('reads the time from the clock port (the simulator’s clock locally), not the wall clock', async () => {
    await planHandler(post(JSON.stringify(exampleInput('three-regions-3000-nodes'))), context, clock);
    expect(clock.now).toHaveBeenCalled();
  });

  it('refuses a body that is not JSON (415), e.g. a cross-site form post', async () => {
    const response = await planHandler(
      post('requestId=x', 'application/x-www-form-urlencoded'),
      context,
      clock,
    );
    expect(response.status).toBe(415);
    expect((response.jsonBody as { error: string }).error).toMatch(/application\/json/);
  });

  it('refuses a body over the build request limit (413 naming it) without parsing it', async () => {
    const response = await planHandler(post(`{"requestId":"${'x'.repeat(60_000)}"}`), context, clock);
    expect(response.status).toBe(413);
    expect((response.jsonBody as { error: string }).error).toMatch(/49152 bytes/);
  });
});
