import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { approveCommand } from '../../../src/cli/approveCommand';
import { statusCommand } from '../../../src/cli/clientCommands';

/** A port nothing listens on: bound on 127.0.0.1, then closed. */
async function deadHost(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('bif approve', () => {
  it('says the host is down exactly as bif status does (exit 3), not a stack trace', async () => {
    const host = await deadHost();
    const status = await statusCommand(['b1', '--host', host]);
    const approve = await approveCommand(['b1', '--host', host]);
    expect(status.exitCode).toBe(3);
    expect(approve).toEqual(status);
  });

  it.each([[['b1', '--wave']], [['b1', '--wave', '--by', 'ops']], [['b1', '--by']]])(
    '%j: a flag without its value is a usage error (exit 2), nothing is sent',
    async (args) => {
      const result = await approveCommand([...args, '--host', await deadHost()].filter(Boolean));
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toMatch(/needs a value|usage/);
    },
  );
});
