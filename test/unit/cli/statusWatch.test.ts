import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { statusCommand } from '../../../src/cli/clientCommands';

/**
 * `bif status ID --json --watch`: one JSON object per line (NDJSON) each time the status changes,
 * until the build ends — what a script reads line by line. Served by a stand-in for GET /api/builds.
 */
const views = [
  { instanceId: 'bif-w', runtimeStatus: 'Pending' },
  { instanceId: 'bif-w', runtimeStatus: 'Running', pipeline: { requestId: 'w', stage: 'preflight' } },
  { instanceId: 'bif-w', runtimeStatus: 'Running', pipeline: { requestId: 'w', stage: 'preflight' } },
  { instanceId: 'bif-w', runtimeStatus: 'Running', pipeline: { requestId: 'w', stage: 'rollout' } },
  { instanceId: 'bif-w', runtimeStatus: 'Completed', pipeline: { requestId: 'w', stage: 'completed' } },
];
let server: Server;
let origin: string;
let served = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    expect(req.url).toBe('/api/builds/w');
    const view = views[Math.min(served++, views.length - 1)];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(view));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

it('prints one JSON object per line on every change, and exits 0 once Completed', async () => {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const result = await statusCommand(['w', '--watch', '--json', '--host', origin]);
    expect(result.exitCode).toBe(0);
  } finally {
    write.mockRestore();
  }
  const lines = written.join('').split('\n');
  expect(lines.pop()).toBe('');
  const objects = lines.map((l) => JSON.parse(l) as { runtimeStatus: string; pipeline?: { stage: string } });
  // The unchanged third answer prints nothing.
  expect(objects.map((o) => `${o.runtimeStatus}/${o.pipeline?.stage ?? '-'}`)).toEqual([
    'Pending/-',
    'Running/preflight',
    'Running/rollout',
    'Completed/completed',
  ]);
});
