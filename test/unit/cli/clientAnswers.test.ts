import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statusCommand, submitCommand, EXIT_ALREADY_SUBMITTED } from '../../../src/cli/clientCommands';

/**
 * What `bif status` and `bif submit` print and exit with for the host's refusals and outcomes, against a
 * stand-in for the host's /api/builds routes: scripts read stdout and the exit code.
 */
let server: Server;
let origin: string;
let submitAnswer: { status: number; body: unknown };
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.method === 'POST') {
      res.writeHead(submitAnswer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(submitAnswer.body));
      return;
    }
    // The host's answer to an id with a path in it (GET /api/builds/{requestId}).
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'requestId must not contain "/" or "..".' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('bif status', () => {
  it('--json prints one JSON error object when the host refuses the id, and exits 2', async () => {
    const result = await statusCommand(['../../x', '--json', '--host', origin]);
    expect(result.exitCode).toBe(2);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      error: {
        code: 'BadRequest',
        status: 400,
        message: expect.stringMatching(/answered 400: requestId must not contain/),
      },
    });
  });

  it('without --json prints the refusal on stdout', async () => {
    const result = await statusCommand(['../../x', '--host', origin]);
    expect(result).toMatchObject({ exitCode: 2, stdout: expect.stringMatching(/answered 400/) });
  });
});

describe('bif submit exit codes', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'bif-cli-')), 'r.json');
  writeFileSync(file, '{}');
  const answer = (outcome: string, status: number) =>
    (submitAnswer = {
      status,
      body: {
        instanceId: 'bif-r',
        outcome,
        runtimeStatus: 'Running',
        previousStatus: 'Failed',
        statusQueryGetUri: 'u',
      },
    });

  it('0 when it started or restarted the build', async () => {
    answer('started', 202);
    expect((await submitCommand([file, '--host', origin])).exitCode).toBe(0);
    answer('restarted', 202);
    expect((await submitCommand([file, '--host', origin])).exitCode).toBe(0);
  });

  it(`${EXIT_ALREADY_SUBMITTED} when it was already submitted and nothing started`, async () => {
    answer('duplicate', 409);
    const result = await submitCommand([file, '--host', origin]);
    expect(result).toMatchObject({ exitCode: 4, stdout: expect.stringMatching(/^Already submitted: bif-r/) });
  });
});
