import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../../../src/local/azurite';

describe('Azurite helper', () => {
  it('starts the queue service on a free port, serves the real client, and stops by PID', async () => {
    const azurite = await startAzurite();
    try {
      const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
      const queue = queues.getQueueClient('probe');
      await queue.create();
      await queue.sendMessage(Buffer.from('{"hello":1}').toString('base64'));
      const { receivedMessageItems } = await queue.receiveMessages({ visibilityTimeout: 5 });
      expect(Buffer.from(receivedMessageItems[0]!.messageText, 'base64').toString()).toBe('{"hello":1}');
      expect(receivedMessageItems[0]!.dequeueCount).toBe(1);
    } finally {
      await azurite.stop();
    }
    expect(() => process.kill(azurite.pid, 0)).toThrow();
  });

  it('keeps a message it acknowledged through a kill -9 (Azure Storage loses nothing it acknowledged)', async () => {
    const location = mkdtempSync(join(tmpdir(), 'bif-azurite-kill-'));
    try {
      const first = await startAzurite({ location });
      const queue = QueueServiceClient.fromConnectionString(first.connectionString).getQueueClient('kept');
      await queue.create();
      await queue.sendMessage(Buffer.from('{"kept":1}').toString('base64'));
      // Azurite itself saves every 5 s; the local world has it save within 0.1 s of a change.
      await new Promise((r) => setTimeout(r, 400));
      process.kill(first.pid, 'SIGKILL');
      await first.stop();

      const second = await startAzurite({ location });
      try {
        const again = QueueServiceClient.fromConnectionString(second.connectionString).getQueueClient('kept');
        const { peekedMessageItems } = await again.peekMessages();
        expect(peekedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString())).toEqual([
          '{"kept":1}',
        ]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  });

  it('keeps every table entity it acknowledged through stop() and a restart', async () => {
    // Azurite's table service shuts down (and saves) only on SIGINT or an IPC 'shutdown'; a SIGTERM
    // kills it before its last save (Azure/Azurite src/table/main.ts).
    const location = mkdtempSync(join(tmpdir(), 'bif-azurite-stop-'));
    const table = (connectionString: string) =>
      TableClient.fromConnectionString(connectionString, 'kept', { allowInsecureConnection: true });
    try {
      const first = await startAzurite({ location });
      try {
        await table(first.tableConnectionString).createTable();
        for (let i = 0; i < 5; i++)
          await table(first.tableConnectionString).createEntity({ partitionKey: 'p', rowKey: `r${i}`, n: i });
      } finally {
        await first.stop();
      }
      expect(() => process.kill(first.tablePid, 0)).toThrow();

      const second = await startAzurite({ location });
      try {
        const rows: string[] = [];
        for await (const row of table(second.tableConnectionString).listEntities()) rows.push(row.rowKey!);
        expect(rows.sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  }, 60_000);
});
