import { HttpRequest, InvocationContext } from '@azure/functions';
import type { OrchestrationFilter } from 'durable-functions';
import { MAX_SCANNED, listBuildsHandler, type ListClient } from '../../../src/functions/buildsList';
import { pageOf } from '../../../src/local/host/durableListQuery';
import { encodeCursor } from '../../../src/domain/pipelineList';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-29T12:00:00Z');

interface Instance {
  name: string;
  instanceId: string;
  createdTime: string;
  runtimeStatus: string;
  customStatus?: unknown;
  output?: unknown;
}

/**
 * The Durable client's list as Azure answers it: filtered by creation time (both ends inclusive),
 * ordered by instance id — never by creation time (the same paging code as the embedded host's).
 */
function durable(instances: Instance[]) {
  const reads: OrchestrationFilter[] = [];
  const client: ListClient = {
    getStatusBy: async (filter: OrchestrationFilter) => {
      reads.push(filter);
      const { page } = pageOf(instances, {
        createdFromMs: filter.createdTimeFrom?.getTime(),
        createdToMs: filter.createdTimeTo?.getTime(),
        top: 1_000_000,
        offset: 0,
      });
      return page as never;
    },
  };
  return { client, reads };
}

const pipeline = (requestId: string, hoursAgo: number, extra: Partial<Instance> = {}): Instance => ({
  name: 'imagePipeline',
  instanceId: `bif-${requestId}`,
  createdTime: new Date(NOW - hoursAgo * HOUR).toISOString(),
  runtimeStatus: 'Completed',
  customStatus: { requestId, stage: 'completed', regionsTotal: 3, poolsTotal: 3 },
  ...extra,
});

const clock = { now: () => new Date(NOW) };
const context = new InvocationContext();
const list = (query = '', client: ListClient) =>
  listBuildsHandler(
    new HttpRequest({ method: 'GET', url: `http://127.0.0.1:7071/api/builds${query}` }),
    context,
    client,
    clock,
  );
const ids = (body: unknown) => (body as { builds: { instanceId: string }[] }).builds.map((b) => b.instanceId);

// Instance-id order (a, b, c, …) is not creation order: the list must not rely on it.
const instances = [
  pipeline('e-oldest', 24 * 400),
  pipeline('b-newest', 0.1),
  pipeline('d-middle', 30),
  pipeline('a-second', 0.5),
  pipeline('c-week', 24 * 6),
  { ...pipeline('x', 0.2), name: 'definitionLedger', instanceId: 'bif:ledger-x' },
  { ...pipeline('y', 0.2), name: 'regionRollout', instanceId: 'bif-b-newest:mhz:region:eastus' },
  { ...pipeline('z', 0.2), name: 'rolloutVersion', instanceId: 'bif:rollout-z' },
];

describe('GET /api/builds: recent pipelines, newest first', () => {
  it('lists only pipelines, newest first, whatever order the instance list has', async () => {
    const { client } = durable(instances);
    const response = await list('', client);
    expect(response.status).toBe(200);
    expect(ids(response.jsonBody)).toEqual(['bif-b-newest', 'bif-a-second', 'bif-d-middle', 'bif-c-week']);
    // Older than a year is not read by the same request: it comes with a continuation.
    const token = (response.jsonBody as { continuationToken: string }).continuationToken;
    const older = await list(`?continuationToken=${token}`, client);
    expect(ids(older.jsonBody)).toEqual(['bif-e-oldest']);
    // A year below it holds nothing: the rest is read at once and the list ends.
    const next = (older.jsonBody as { continuationToken: string }).continuationToken;
    const end = await list(`?continuationToken=${next}`, client);
    expect(ids(end.jsonBody)).toEqual([]);
    expect(end.jsonBody).not.toHaveProperty('continuationToken');
  });
});

describe('GET /api/builds: a bounded read per request', () => {
  it('reads the rest at once only after a whole year with no instance at all', async () => {
    const { client, reads } = durable([pipeline('only', 24 * 800)]);
    const first = (await list('', client)).jsonBody as { builds: unknown[] };
    expect(reads.slice(0, -1).every((r) => r.createdTimeFrom !== undefined)).toBe(true);
    expect(NOW - reads.at(-2)!.createdTimeFrom!.getTime()).toBe(365 * 24 * HOUR);
    expect(reads.at(-1)!.createdTimeFrom).toBeUndefined();
    expect(ids(first)).toEqual(['bif-only']);
    expect(first).not.toHaveProperty('continuationToken');
  });

  it('reads at most a year back when that year has instances, and hands out a continuation', async () => {
    const { client, reads } = durable([pipeline('recent', 24 * 200), pipeline('old', 24 * 800)]);
    const first = (await list('', client)).jsonBody as { builds: unknown[]; continuationToken: string };
    expect(ids(first)).toEqual(['bif-recent']);
    expect(reads.every((r) => r.createdTimeFrom !== undefined)).toBe(true);
    const second = await list(`?continuationToken=${first.continuationToken}`, client);
    expect(ids(second.jsonBody)).toEqual(['bif-old']);
  });

  it('stops widening after MAX_SCANNED instances read, handing out a continuation below them', async () => {
    const machinery = Array.from({ length: MAX_SCANNED }, (_, i) => ({
      ...pipeline(`m${i}`, 2),
      name: 'regionRollout',
      instanceId: `bif-m${i}:region:eastus`,
    }));
    const { client, reads } = durable([...machinery, pipeline('day-old', 30)]);
    const first = (await list('', client)).jsonBody as { builds: unknown[]; continuationToken: string };
    expect(reads).toHaveLength(2); // the hour (nothing), the day (2000 region children): stop
    expect(first.builds).toEqual([]);
    const second = await list(`?continuationToken=${first.continuationToken}`, client);
    expect(ids(second.jsonBody)).toEqual(['bif-day-old']);
  });
});

describe('GET /api/builds: lines and pages', () => {
  it('takes the request id from the instance id, so a terminated pipeline (custom status null) lists it', async () => {
    const { client } = durable([pipeline('stopped', 1, { runtimeStatus: 'Terminated', customStatus: null })]);
    const body = (await list('', client)).jsonBody as { builds: Record<string, unknown>[] };
    expect(body.builds[0]).toMatchObject({ instanceId: 'bif-stopped', requestId: 'stopped' });
  });

  it('pages with continuationToken until the last page, each pipeline once', async () => {
    const { client } = durable(instances);
    const seen: string[] = [];
    let query = '?top=2';
    for (let pages = 0; pages < 10; pages++) {
      const { jsonBody } = await list(query, client);
      const body = jsonBody as { continuationToken?: string; builds: unknown[] };
      seen.push(...ids(body));
      if (!body.continuationToken) break;
      expect(body.builds.length).toBeLessThanOrEqual(2); // a page cut short by the scan bound is shorter
      query = `?top=2&continuationToken=${body.continuationToken}`;
    }
    expect(seen).toEqual(['bif-b-newest', 'bif-a-second', 'bif-d-middle', 'bif-c-week', 'bif-e-oldest']);
  });

  it('orders pipelines created in the same millisecond by id, and pages through them', async () => {
    const same = ['p3', 'p1', 'p2'].map((r) => pipeline(r, 1));
    const { client } = durable(same);
    const first = (await list('?top=2', client)).jsonBody as { continuationToken: string };
    expect(ids(first)).toEqual(['bif-p1', 'bif-p2']);
    const second = await list(`?top=2&continuationToken=${first.continuationToken}`, client);
    expect(ids(second.jsonBody)).toEqual(['bif-p3']);
  });

  it('reads the last hour first and widens only while the page is not full', async () => {
    const { client, reads } = durable(instances);
    await list('?top=1', client);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.createdTimeFrom?.toISOString()).toBe(new Date(NOW - HOUR).toISOString());
  });

  it('shows a failed or terminated pipeline’s reason from its output (a terminated one has no custom status)', async () => {
    const { client } = durable([
      pipeline('failed', 1, { runtimeStatus: 'Failed', output: 'Pipeline failed failed at rollout: eastus' }),
      pipeline('stopped', 2, { runtimeStatus: 'Terminated', customStatus: null, output: 'operator: <b>' }),
    ]);
    const body = (await list('', client)).jsonBody as { builds: Record<string, unknown>[] };
    expect(body.builds[0]).toMatchObject({
      runtimeStatus: 'Failed',
      failure: expect.stringMatching(/eastus/),
    });
    expect(body.builds[1]).toMatchObject({ runtimeStatus: 'Terminated', failure: 'operator: <b>' });
    expect(body.builds[1]!.statusUri).toBe('/api/builds/instances/bif-stopped');
  });
});

describe('GET /api/builds: its query parameters', () => {
  it.each([
    ['?top=0', /top must be a whole number from 1 to 100, not "0"/],
    ['?top=101', /top must be a whole number from 1 to 100/],
    ['?top=ten', /top .*not "ten"/],
    ['?continuationToken=abc', /continuationToken is not one this list handed out/],
    [`?continuationToken=${Buffer.from('{"t":-1,"id":"x"}').toString('base64url')}`, /continuationToken/],
    [`?continuationToken=${encodeCursor({ createdMs: 1, instanceId: 'a/b' })}`, /continuationToken/],
  ])('refuses %s with 400 naming the parameter', async (query, message) => {
    const { client, reads } = durable(instances);
    const response = await list(query, client);
    expect(response.status).toBe(400);
    expect((response.jsonBody as { error: string }).error).toMatch(message);
    expect(reads).toHaveLength(0);
  });
});
