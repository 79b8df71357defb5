import { QueueServiceClient } from '@azure/storage-queue';
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
});
