import { HttpRequest, InvocationContext } from '@azure/functions';
import { approveBuildHandler, type ApprovalClient } from '../../../src/functions/approveHttp';
import type { WaveLine } from '../../../src/domain/cutover/waves';

/** The approve route's body is optional: what a hostile tester sent, and what each must answer. */
const waves: WaveLine[] = [
  { wave: 1, regions: ['r1'], state: 'awaiting-approval', approval: true, soakMinutes: 0 },
];

function client() {
  const raised: unknown[][] = [];
  const durable: ApprovalClient = {
    getStatus: async (id: string) => {
      if (id !== 'bif-b1') throw new Error('… replied with HTTP 404 response …');
      return { instanceId: id, runtimeStatus: 'Running', input: {}, customStatus: { waves } } as never;
    },
    raiseEvent: async (...args: unknown[]) => void raised.push(args),
  };
  return { durable, raised };
}

const post = (requestId: string, headers: Record<string, string>, body?: string) =>
  new HttpRequest({
    method: 'POST',
    url: `http://127.0.0.1:7071/api/builds/${requestId}/approve`,
    params: { requestId },
    headers,
    ...(body === undefined ? {} : { body: { string: body } }),
  });
const context = new InvocationContext();
const errorOf = (answer: { jsonBody?: unknown }) => (answer.jsonBody as { error: string }).error;

describe('approve route body', () => {
  it('accepts no body and no Content-Type at all (no Content-Length either)', async () => {
    const { durable, raised } = client();
    const answer = await approveBuildHandler(post('b1', {}), context, durable);
    expect(answer.status).toBe(202);
    expect(raised).toHaveLength(1);
  });

  it('answers 404 for an unknown build before looking at the body', async () => {
    const { durable } = client();
    const answer = await approveBuildHandler(
      post('nope', { 'content-type': 'text/plain' }, 'x'),
      context,
      durable,
    );
    expect(answer.status).toBe(404);
  });

  it('refuses a body over the limit with a text about approvals, not build requests', async () => {
    const { durable, raised } = client();
    const big = JSON.stringify({ comment: 'x'.repeat(5000) });
    const answer = await approveBuildHandler(
      post('b1', { 'content-type': 'application/json' }, big),
      context,
      durable,
    );
    expect(answer.status).toBe(413);
    expect(errorOf(answer)).toMatch(/approval/);
    expect(errorOf(answer)).not.toMatch(/startTask|build request/);
    expect(raised).toEqual([]);
  });

  it('refuses a charset other than utf-8 (415), naming it', async () => {
    const { durable, raised } = client();
    const latin = post('b1', { 'content-type': 'application/json; charset=ISO-8859-1' }, '{}');
    const answer = await approveBuildHandler(latin, context, durable);
    expect(answer.status).toBe(415);
    expect(errorOf(answer)).toMatch(/ISO-8859-1/i);
    const utf8 = post('b1', { 'content-type': 'application/json; charset="UTF-8"' }, '{}');
    expect((await approveBuildHandler(utf8, context, durable)).status).toBe(202);
    expect(raised).toHaveLength(1);
  });

  it('still refuses a body of another media type (415)', async () => {
    const { durable } = client();
    const answer = await approveBuildHandler(post('b1', {}, '{"wave":1}'), context, durable);
    expect(answer.status).toBe(415);
  });
});
