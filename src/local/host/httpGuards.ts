import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer the router gives instead of running a function: status, a message naming the problem and the fix. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload?: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(payload === undefined ? '' : JSON.stringify(payload));
}

/**
 * Reads the body, refusing it (413) as soon as it passes `limit` bytes — by Content-Length before
 * anything is read, else while streaming — so an oversized body is never held in memory whole.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpRefusal(
      413,
      `The request body is larger than this endpoint accepts (at most ${limit} bytes). Send a smaller body.`,
      { Connection: 'close' },
    );
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return; // keep draining, so the client reads our 413 rather than a reset
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.once('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    req.once('error', reject);
  });
}

/**
 * A browser page must not drive the local host: a `Host` other than the loopback name we serve
 * (DNS rebinding) or an `Origin` other than our own (cross-site form posts, fetch) is refused (403).
 * Non-browser callers (the CLI, the SDKs, Event Grid) send no Origin.
 */
export function checkCaller(req: IncomingMessage, port: number): void {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts.includes(host))
    throw new HttpRefusal(
      403,
      `Host header "${req.headers.host ?? ''}" is not this host; call it as http://127.0.0.1:${port}.`,
    );
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`))
    throw new HttpRefusal(
      403,
      `Cross-origin requests (Origin ${origin}) are refused: the local host serves the bif CLI and the SDKs, not web pages.`,
    );
}

/** JSON routes refuse other media types (415), as a form post or text/plain body is never a build request. */
export function requireJson(req: IncomingMessage, body: Buffer): void {
  if (body.length === 0) return;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type))
    throw new HttpRefusal(
      415,
      `Content-Type "${type || '(none)'}" is not accepted here; send the body as application/json.`,
    );
}

/** Parses a JSON body; malformed JSON is the caller's error (400), never a 500. */
export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw new HttpRefusal(400, `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Splits a path into decoded segments; malformed percent-encoding is the caller's error (400). */
export function decodeSegments(path: string): string[] {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpRefusal(400, `The path ${path} has malformed percent-encoding.`);
  }
}
