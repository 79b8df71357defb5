import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DurableClient } from 'durable-functions';
import { DurableClient as DurableClientClass } from 'durable-functions/lib/src/durableClient/DurableClient';
import { durableAnswer, unlessMissing } from '../../../src/azure/durableAnswers';
import { durableStarter } from '../../../src/functions/durableStarter';

/**
 * The Durable client's answers are read in one place: here the real durable-functions 3.5 client talks
 * to a stand-in of the extension's HTTP API on 127.0.0.1 that answers 404 and 409, so the test reads
 * the errors the library really throws, not messages written by hand.
 */
let server: Server;
let client: DurableClient;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const url = req.url ?? '';
    if (url.includes('/orchestrators/')) {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'An instance with ID "taken" already exists.' }));
    } else if (url.includes('/instances/broken')) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'boom' }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new DurableClientClass({
    taskHubName: 'hub',
    rpcBaseUrl: `http://127.0.0.1:${port}/runtime/webhooks/durabletask/`,
    creationUrls: {},
    managementUrls: {},
    baseUrl: `http://127.0.0.1:${port}/runtime/webhooks/durabletask`,
    requiredQueryStringParameters: '',
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const thrown = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('durableAnswer reads the real client’s errors', () => {
  it('a status read of an unknown instance is notFound, and unlessMissing makes it undefined', async () => {
    expect(durableAnswer(await thrown(client.getStatus('nobody')))).toBe('notFound');
    await expect(unlessMissing(client.getStatus('nobody'))).resolves.toBeUndefined();
  });

  it('an event to an unknown instance is notFound', async () => {
    expect(durableAnswer(await thrown(client.raiseEvent('nobody', 'e', {})))).toBe('notFound');
  });

  it('starting over an existing instance is exists', async () => {
    expect(durableAnswer(await thrown(client.startNew('o', { instanceId: 'taken' })))).toBe('exists');
  });

  it('any other failure is failed, and unlessMissing rethrows it', async () => {
    expect(durableAnswer(await thrown(client.getStatus('broken')))).toBe('failed');
    await expect(unlessMissing(client.getStatus('broken'))).rejects.toThrow(/500/);
  });
});

describe('the starter reads them through durableAnswer, and swallows nothing else', () => {
  it('an unknown instance has no status and no children; a start over an existing one is "exists"', async () => {
    const starter = durableStarter(client);
    await expect(starter.runtimeStatus('nobody')).resolves.toBeUndefined();
    await expect(starter.endEarlierChildren('nobody')).resolves.toEqual([]);
    await expect(starter.start('o', 'taken', {})).resolves.toBe('exists');
  });

  it('a failing status read before a restart is an error, not "no children to end"', async () => {
    await expect(durableStarter(client).endEarlierChildren('broken')).rejects.toThrow(/500/);
  });
});
