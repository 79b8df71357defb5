import { OrchestrationRuntimeStatus } from 'durable-functions';
import { DurableClient } from 'durable-functions/lib/src/durableClient/DurableClient';
import { registerWaiter, startDoorsHost, type DoorsHost } from '../../helpers/hostDoors';

/**
 * The Durable HTTP API's instance list (GET /runtime/webhooks/durabletask/instances) with the query
 * parameters of the extension's HttpApiHandler: instanceIdPrefix, createdTimeFrom/To, top with the
 * x-ms-continuation-token header. A value that does not parse is refused with the parameter's name.
 */
let host: DoorsHost;
const LIST = '/runtime/webhooks/durabletask/instances';
beforeAll(async () => {
  host = await startDoorsHost([]);
  registerWaiter(host.engine);
  for (const id of ['a-1', 'a-2', 'a-3', 'b-1']) host.engine.startNew('waiter', id, null);
});
afterAll(() => host.stop());

async function list(query: string, headers: Record<string, string> = {}) {
  const answer = await host.call('GET', `${LIST}${query}`, {
    headers: { 'x-functions-key': host.keys.systemKeys.durabletask_extension, ...headers },
  });
  return { ...answer, body: answer.status === 200 ? JSON.parse(answer.text) : answer.text };
}
const ids = (body: { instanceId: string }[]) => body.map((s) => s.instanceId).sort();

describe('list parameters', () => {
  it.each([
    ['top=abc', /top/],
    ['top=0', /top/],
    ['top=-5', /top/],
    ['top=2.5', /top/],
    ['createdTimeFrom=yesterday', /createdTimeFrom/],
    ['createdTimeTo=2026-13-45T99:00:00Z', /createdTimeTo/],
    // Malformed percent-encoding is 400 here as at every other door (not a list filtered by the raw text).
    ['instanceIdPrefix=%E0%A4%A', /instanceIdPrefix.*malformed percent-encoding/],
    ['instanceIdPrefix=%ZZ', /instanceIdPrefix.*malformed percent-encoding/],
    ['top=%', /top.*malformed percent-encoding/],
  ])('%s → 400 naming the parameter', async (query, name) => {
    const answer = await list(`?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(name);
  });

  it('instanceIdPrefix and createdTime filter the list', async () => {
    expect(ids((await list('?instanceIdPrefix=a-')).body)).toEqual(['a-1', 'a-2', 'a-3']);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await list(`?createdTimeFrom=${future}`)).body).toEqual([]);
    expect((await list(`?createdTimeTo=${future}`)).body).toHaveLength(4);
    expect((await list('?createdTimeTo=2000-01-01T00:00:00Z')).body).toEqual([]);
  });

  it('top pages the list; x-ms-continuation-token fetches the next page until none is left', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 5; page++) {
      const answer = await list('?top=3', token ? { 'x-ms-continuation-token': token } : {});
      expect(answer.status).toBe(200);
      expect(answer.body.length).toBeLessThanOrEqual(3);
      seen.push(...ids(answer.body));
      token = answer.headers['x-ms-continuation-token'] as string | undefined;
      if (!token) break;
    }
    expect(seen.sort()).toEqual(['a-1', 'a-2', 'a-3', 'b-1']);
    expect((await list('?top=2', { 'x-ms-continuation-token': 'garbage' })).status).toBe(400);
  });
});

describe('the list as Azure pages it', () => {
  it('without top, pages of 100 ordered by instance id; every page carries the token header, empty on the last', async () => {
    // Created in reverse order: Azure Storage lists by instance id (the Instances table's partition key).
    for (let i = 149; i >= 0; i--) host.engine.startNew('waiter', `page-${String(i).padStart(3, '0')}`, null);
    const first = await list('?instanceIdPrefix=page-');
    expect(first.body).toHaveLength(100);
    const firstIds = (first.body as { instanceId: string }[]).map((s) => s.instanceId);
    expect(firstIds).toEqual([...firstIds].sort());
    expect(firstIds[0]).toBe('page-000');
    const token = first.headers['x-ms-continuation-token'] as string;
    expect(token).toBeTruthy();
    const last = await list('?instanceIdPrefix=page-', { 'x-ms-continuation-token': token });
    expect((last.body as { instanceId: string }[]).map((s) => s.instanceId)).toEqual(
      Array.from({ length: 50 }, (_, i) => `page-${100 + i}`),
    );
    // HttpApiHandler adds the header whatever the next token is; on the last page it is empty.
    expect(last.headers['x-ms-continuation-token']).toBe('');
    // The durable-functions client pages through the token on its own, and stops at the empty one.
    const client = new DurableClient(host.clientData as never);
    const all = await client.getStatusBy({ runtimeStatus: [OrchestrationRuntimeStatus.Running] });
    expect(all.filter((s) => s.instanceId.startsWith('page-'))).toHaveLength(150);
  });

  it('runtimeStatus parses as Enum.TryParse does: exact case, or the enum number', async () => {
    expect((await list('?runtimeStatus=Running&instanceIdPrefix=a-')).body).toHaveLength(3);
    expect((await list('?runtimeStatus=0&instanceIdPrefix=a-')).body).toHaveLength(3);
    expect((await list('?runtimeStatus=Completed,Running&instanceIdPrefix=b-')).body).toHaveLength(1);
    const lower = await list('?runtimeStatus=running');
    expect(lower.status).toBe(400);
    expect(lower.text).toMatch(/runtimeStatus running.*Running/);
  });
});
