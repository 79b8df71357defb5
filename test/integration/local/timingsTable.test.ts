import { TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../src/local/azurite';
import { tableTimings, rowKeyOf } from '../../../src/azure/timingsTable';
import type { TimingObservation } from '../../../src/domain/timings/observation';

/** Learned timings over the wire: the real @azure/data-tables client against Azurite's table service. */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);
afterAll(() => azurite.stop());

const MIN = 60_000;
const observation = (region: string, requestId: string, minute: number): TimingObservation => ({
  region,
  requestId,
  observedAt: new Date(Date.UTC(2026, 10, 29) + minute * MIN).toISOString(),
  replicaCount: 4,
  nodes: 1000,
  vmSize: 'Standard_D4s_v5',
  replicationMs: (40 + minute) * MIN,
  allocationMs: 13 * MIN,
  nodesPerMinute: 100,
});

const store = (table: string, keep: number) =>
  tableTimings({ table, keep, emulatorConnectionString: azurite.tableConnectionString }, () => {
    throw new Error('no credential locally');
  });

describe('learned timings in Table storage (Azurite)', () => {
  it('records observations and reads them back per region, newest first', async () => {
    const timings = store('timingsReadBack', 10);
    await timings.record([observation('westeurope', 'a', 1), observation('eastus', 'a', 1)]);
    await timings.record([observation('westeurope', 'b', 5)]);
    const west = await timings.recent(['westeurope']);
    expect(west.map((o) => o.requestId)).toEqual(['b', 'a']);
    expect(west[1]).toEqual(observation('westeurope', 'a', 1));
    expect((await timings.recent(['eastus', 'brazilsouth'])).map((o) => o.region)).toEqual(['eastus']);
  });

  it('keeps only the newest N per region, deleting older rows as new ones arrive', async () => {
    const timings = store('timingsBounded', 3);
    for (let minute = 0; minute < 6; minute++)
      await timings.record([observation('eastus', `run-${minute}`, minute)]);
    await timings.record([observation('westeurope', 'other', 0)]);
    expect((await timings.recent(['eastus'])).map((o) => o.requestId)).toEqual(['run-5', 'run-4', 'run-3']);
    // Bounded in the table itself, not only in what is read.
    const client = TableClient.fromConnectionString(azurite.tableConnectionString, 'timingsBounded', {
      allowInsecureConnection: true,
    });
    const rows: string[] = [];
    for await (const row of client.listEntities({ queryOptions: { filter: "PartitionKey eq 'eastus'" } }))
      rows.push(row.rowKey!);
    expect(rows).toHaveLength(3);
  });

  it('records the same request and region again in place (activities run at least once)', async () => {
    const timings = store('timingsIdempotent', 10);
    await timings.record([observation('eastus', 'same', 2)]);
    await timings.record([observation('eastus', 'same', 2)]);
    expect(await timings.recent(['eastus'])).toHaveLength(1);
  });

  it('lists a partition in RowKey order, which the inverted-time row key turns into newest first', async () => {
    // The Table service returns entities sorted by PartitionKey, then RowKey: written out of order here.
    const client = TableClient.fromConnectionString(azurite.tableConnectionString, 'timingsOrder', {
      allowInsecureConnection: true,
    });
    await client.createTable();
    const keys = [
      observation('eastus', 'x', 1),
      observation('eastus', 'y', 9),
      observation('eastus', 'z', 4),
    ].map(rowKeyOf);
    for (const rowKey of keys) await client.createEntity({ partitionKey: 'eastus', rowKey });
    const listed: string[] = [];
    for await (const row of client.listEntities()) listed.push(row.rowKey!);
    expect(listed).toEqual([...keys].sort());
    expect(listed[0]).toBe(keys[1]); // minute 9: the newest
  });

  it('refuses a RowKey with a character the Table service forbids (/), as Azure does', async () => {
    const client = TableClient.fromConnectionString(azurite.tableConnectionString, 'timingsKeys', {
      allowInsecureConnection: true,
    });
    await client.createTable();
    await expect(client.createEntity({ partitionKey: 'eastus', rowKey: 'a/b' })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
