import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalCertificate } from '../tls';

type RequestListener = (req: IncomingMessage, res: ServerResponse, batchAccount?: string) => void;

/**
 * The simulator's HTTPS listeners on 127.0.0.1: one for ARM (and /_sim, and /batch/{account} for
 * hand-made calls), then one per Batch account, because the Batch SDK cannot take a base URL with a
 * path. With a fixed port, accounts take the next ports in name order, so their URLs survive a restart.
 */
export class Endpoints {
  origin = '';
  port = 0;
  /** Batch data-plane origins by lower-cased account name. */
  private readonly batchOrigins = new Map<string, string>();
  private readonly servers: Server[] = [];

  constructor(readonly certificate: LocalCertificate) {}

  async listen(port: number | undefined, accounts: string[], onRequest: RequestListener): Promise<void> {
    const main = await this.listenOne(port ?? 0, onRequest);
    this.port = (main.address() as AddressInfo).port;
    this.origin = `https://127.0.0.1:${this.port}`;
    for (const [i, name] of [...accounts].sort().entries()) {
      const server = await this.listenOne(port ? port + 1 + i : 0, onRequest, name);
      this.batchOrigins.set(name, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  }

  /** Where a request arrived: the account's own port, or the main one. */
  originOf(batchAccount: string | undefined): string {
    return batchAccount ? this.batchOrigins.get(batchAccount)! : this.origin;
  }

  batchUrl(name: string): string {
    return this.batchOrigins.get(name.toLowerCase()) ?? `${this.origin}/batch/${name}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  private async listenOne(port: number, onRequest: RequestListener, batchAccount?: string): Promise<Server> {
    const server = createServer({ cert: this.certificate.cert, key: this.certificate.key }, (req, res) =>
      onRequest(req, res, batchAccount),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.servers.push(server);
    return server;
  }
}
