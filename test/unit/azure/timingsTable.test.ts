import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tableTimings } from '../../../src/azure/timingsTable';

/**
 * Learned timings are advisory: a table store that is down must fail at once (one attempt, short
 * timeout), not retry for seconds per read and write while the pipeline waits.
 */
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function server(onSocket: (socket: net.Socket) => void) {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  return {
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        s.close(() => resolve());
      }),
  };
}

const timingsAt = (port: number, timeoutMs?: number) =>
  tableTimings(
    {
      table: 'bifTimings',
      keep: 10,
      emulatorConnectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
    },
    () => {
      throw new Error('no credential with a connection string');
    },
    timeoutMs,
  );

describe('tableTimings when the store is down', () => {
  it('tries once: a dropped connection is not retried', async () => {
    const dropping = await server((socket) => socket.destroy());
    try {
      await expect(timingsAt(dropping.port).recent(['westeurope'])).rejects.toThrow();
      expect(dropping.connections()).toBe(1);
    } finally {
      await dropping.close();
    }
  });

  it('gives up on a store that accepts and never answers, after its timeout', async () => {
    const silent = await server(() => undefined);
    try {
      await expect(timingsAt(silent.port, 200).recent(['westeurope'])).rejects.toThrow();
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });
});
