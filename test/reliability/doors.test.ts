import { QueueServiceClient } from '@azure/storage-queue';
import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { smallRequest } from './requests';

/**
 * Issue #16 item 8 on the real app in the embedded host: every door wants its key, a web page
 * cannot drive the host, secrets never come back out, and a producer that sends plain text (which
 * Azure's queue trigger cannot decode) finds its message in the poison queue exactly as it sent it.
 */
jest.setTimeout(240_000);
let world: TestWorld;
useFileWorld({ speed: 600 }, (w) => (world = w));

const SECRET = 'sv=2025-01-01&sig=do-not-leak';
const withSecret = (n: number) =>
  JSON.stringify(
    smallRequest(n, (i) => {
      i.pools[0].startTask = {
        commandLine: '/bin/sh -c "fetch-assets"',
        environmentSettings: [{ name: 'ASSETS_SAS', value: SECRET }],
      };
    }),
  );

describe('the key table, on the real app', () => {
  const doors: [door: string, method: string, path: string, body: string | undefined][] = [
    ['POST /api/builds', 'POST', '/api/builds', '{"requestId": "x"}'],
    ['GET /api/builds/{id}', 'GET', '/api/builds/nothing-here', undefined],
    ['POST /api/plan', 'POST', '/api/plan', '{"requestId": "x"}'],
    ['Durable API: list', 'GET', '/runtime/webhooks/durabletask/instances', undefined],
    ['Durable API: start', 'POST', '/runtime/webhooks/durabletask/orchestrators/imagePipeline/forged', '{}'],
    ['Durable API: purge', 'DELETE', '/runtime/webhooks/durabletask/instances/anything', undefined],
    [
      'Event Grid webhook',
      'POST',
      '/runtime/webhooks/eventgrid?functionName=galleryEvents',
      '[{"eventType":"x","data":{}}]',
    ],
  ];
  it.each(doors)(
    '%s: without a key → 401 and nothing runs; with the key → served',
    async (_door, method, path, body) => {
      const headers: Record<string, string> = body ? { 'Content-Type': 'application/json' } : {};
      const without = await world.fetchRaw(path, { method, headers, body });
      expect(without.status).toBe(401);
      expect(await without.text()).toMatch(/needs a key/);
      const withKey = await world.fetchRaw(path, {
        method,
        headers: { ...headers, 'x-functions-key': world.keyFor(path) },
        body,
      });
      expect(withKey.status).not.toBe(401);
      expect(withKey.status).toBeLessThan(500);
    },
  );

  it('a forged Durable start was never run', async () => {
    expect((await world.getJson('/runtime/webhooks/durabletask/instances/anything')).status).toBe(404);
  });
});

describe('a web page cannot drive the host', () => {
  it('a cross-origin form post is refused (403) and starts nothing, even with a key', async () => {
    const body = new URLSearchParams({ requestId: 'rel-401' }).toString();
    const page = await world.fetchRaw(`/api/builds?code=${world.keys().functionKeys.default}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://attacker.example' },
      body,
    });
    expect(page.status).toBe(403);
    // Without an Origin (not a browser), the form body is still not a build request.
    const form = await world.fetchRaw('/api/builds', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'x-functions-key': world.keys().functionKeys.default,
      },
      body,
    });
    expect(form.status).toBe(415);
    expect(
      (await world.getJson(`/runtime/webhooks/durabletask/instances/${pipelineInstanceId('rel-401')}`))
        .status,
    ).toBe(404);
  });
});

describe('secrets stay in', () => {
  it('start-task environment values never come back from the Durable API or GET /api/builds', async () => {
    const id = pipelineInstanceId('rel-402');
    expect((await world.postJson('/api/builds', withSecret(402))).status).toBe(202);
    // The pipeline ran with the real input (the engine keeps it); only answers are redacted.
    expect((await world.waitForStatus(id, ['Completed', 'Failed'], 120_000)).runtimeStatus).toBe('Completed');
    const answers = await Promise.all([
      world.getJson('/runtime/webhooks/durabletask/instances'),
      world.getJson(`/runtime/webhooks/durabletask/instances/${id}?showHistory=true&showHistoryOutput=true`),
      world.getJson('/api/builds/rel-402'),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(JSON.stringify(a.body)).not.toContain('do-not-leak');
    }
    expect(JSON.stringify(answers[1]!.body)).toContain('ASSETS_SAS');
  });
});

describe('queue producers', () => {
  it('a plain-text message (not base64) never runs: it is in <queue>-poison exactly as sent', async () => {
    const queues = QueueServiceClient.fromConnectionString(world.azurite.connectionString);
    const queue = queues.getQueueClient(world.env.BIF_BUILD_QUEUE!);
    const poison = queues.getQueueClient(`${world.env.BIF_BUILD_QUEUE!}-poison`);
    const sent = JSON.stringify(smallRequest(403));
    await queue.sendMessage(sent);
    let kept: string[] = [];
    for (let i = 0; i < 100 && !kept.includes(sent); i++) {
      kept = (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map(
        (m) => m.messageText,
      );
      if (!kept.includes(sent)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(kept).toContain(sent);
    expect(
      (await world.getJson(`/runtime/webhooks/durabletask/instances/${pipelineInstanceId('rel-403')}`))
        .status,
    ).toBe(404);
    expect(world.host!.logs.join('')).toMatch(/moved to build-requests-poison because it is not base64/);
  });
});
