import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';

/** What a handler sees of a request. */
export interface SimRequest {
  method: string;
  url: URL;
  /** Path segments, decoded, original casing. */
  segments: string[];
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or undefined when empty. */
  body: unknown;
  rawBody: string;
}

/** What a handler answers; the server writes it. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Body already serialised, with its content type in headers. */
  text?: string;
}

export class BadJsonError extends Error {}

export async function readRequest(req: IncomingMessage, origin: string): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', origin);
  let body: unknown;
  if (rawBody.trim()) {
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new BadJsonError(`The request body is not valid JSON`);
    }
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    segments: url.pathname.split('/').filter(Boolean).map(decodeURIComponent),
    headers: req.headers,
    body,
    rawBody,
  };
}

export function json(status: number, body?: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers };
}

export function query(req: SimRequest, name: string): string | undefined {
  for (const [key, value] of req.url.searchParams) if (key.toLowerCase() === name.toLowerCase()) return value;
  return undefined;
}

/** Writes a handler's answer, with the x-ms-request-id every Azure answer carries. */
export function writeResponse(res: ServerResponse, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload: string | undefined = response.text;
  if (payload === undefined && response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  headers['x-ms-request-id'] ??= createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 32);
  res.writeHead(response.status, headers);
  res.end(payload);
}
