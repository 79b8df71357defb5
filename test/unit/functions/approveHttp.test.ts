import { HttpRequest, InvocationContext } from '@azure/functions';
import { approveBuildHandler, type ApprovalClient } from '../../../src/functions/approveHttp';
import { APPROVAL_EVENT, type WaveLine } from '../../../src/domain/cutover/waves';

const line = (wave: number, extra: Partial<WaveLine> = {}): WaveLine => ({
  wave,
  regions: [`region${wave}`],
  state: 'pending',
  approval: false,
  soakMinutes: 0,
  ...extra,
});

/** A Durable client with one build, answering 404 like the real one for any other; it records raises. */
function client(runtimeStatus: string, waves?: WaveLine[], input: unknown = { request: {} }) {
  const raised: unknown[][] = [];
  const durable: ApprovalClient = {
    getStatus: async (id: string) => {
      if (id !== 'bif-b1') throw new Error('… replied with HTTP 404 response …');
      return { instanceId: id, runtimeStatus, input, customStatus: waves ? { waves } : {} } as never;
    },
    raiseEvent: async (...args: unknown[]) => void raised.push(args),
  };
  return { durable, raised };
}

const post = (requestId: string, body?: unknown) =>
  new HttpRequest({
    method: 'POST',
    url: `http://127.0.0.1:7071/api/builds/${requestId}/approve`,
    params: { requestId },
    headers: body === undefined ? { 'content-length': '0' } : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: { string: JSON.stringify(body) } }),
  });
const context = new InvocationContext();

describe('POST /api/builds/{requestId}/approve', () => {
  const waiting = [line(1, { state: 'passed' }), line(2, { approval: true, state: 'awaiting-approval' })];

  it('raises the approval on the pipeline for the wave that waits (202), with who and why', async () => {
    const { durable, raised } = client('Running', waiting);
    const answer = await approveBuildHandler(
      post('b1', { approvedBy: 'ops', comment: 'ok' }),
      context,
      durable,
    );
    expect(answer.status).toBe(202);
    expect(raised).toEqual([['bif-b1', APPROVAL_EVENT, { wave: 2, approvedBy: 'ops', comment: 'ok' }]]);
    // No body at all is an approval of the next wave too.
    expect((await approveBuildHandler(post('b1'), context, durable)).status).toBe(202);
  });

  it('takes an early approval for a wave still to come: Durable keeps it until the pipeline waits', async () => {
    const { durable, raised } = client('Running', [
      line(1, { state: 'running' }),
      line(2, { approval: true }),
    ]);
    expect((await approveBuildHandler(post('b1', { wave: 2 }), context, durable)).status).toBe(202);
    expect(raised).toHaveLength(1);
  });

  it('takes an approval before the rollout even started, from the waves of the request', async () => {
    const request = { waves: [{ regions: ['westeurope'] }, { regions: ['eastus'], approval: true }] };
    const { durable, raised } = client('Running', undefined, { request });
    const answer = await approveBuildHandler(post('b1'), context, durable);
    expect(answer.status).toBe(202);
    expect(raised).toEqual([['bif-b1', APPROVAL_EVENT, { wave: 2 }]]);
  });

  it('answers 404 for an unknown build and 409 naming the next wave when nothing can take it', async () => {
    const { durable, raised } = client('Running', [line(1, { state: 'running' }), line(2)]);
    expect((await approveBuildHandler(post('nope'), context, durable)).status).toBe(404);
    const none = await approveBuildHandler(post('b1'), context, durable);
    expect(none.status).toBe(409);
    expect((none.jsonBody as { error: string }).error).toMatch(
      /no wave waits for an approval; the next wave is 1 \(region1\), running/,
    );
    const ended = await approveBuildHandler(post('b1'), context, client('Completed', waiting).durable);
    expect((ended.jsonBody as { error: string }).error).toMatch(/the build is Completed/);
    const noWaves = await approveBuildHandler(post('b1'), context, client('Running').durable);
    expect((noWaves.jsonBody as { error: string }).error).toMatch(/its request has no "waves"/);
    expect(raised).toEqual([]);
  });

  it('refuses a body that is not an approval, naming the field (400)', async () => {
    const { durable, raised } = client('Running', waiting);
    const cases: [unknown, RegExp][] = [
      [{ wave: 0 }, /wave must be a wave number/],
      [{ wave: '2' }, /wave must be a wave number/],
      [{ by: 'ops' }, /by: not a field of an approval/],
      [{ comment: 'x'.repeat(1001) }, /comment must be a text of at most 1000/],
      [[1], /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const answer = await approveBuildHandler(post('b1', body), context, durable);
      expect({ status: answer.status, error: (answer.jsonBody as { error: string }).error }).toEqual({
        status: 400,
        error: expect.stringMatching(message),
      });
    }
    expect(raised).toEqual([]);
  });
});
