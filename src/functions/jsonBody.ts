import type { HttpRequest, HttpResponseInit } from '@azure/functions';

export interface JsonBodyOptions {
  /** The 413 text: what the route's limit is for and how to get under it. */
  tooLargeMessage?: string;
  /** The body is optional: a request with neither Content-Type nor body is read as an empty text. */
  optional?: boolean;
}

const BUILD_REQUEST_TOO_LARGE = (limit: number) =>
  `The request is larger than ${limit} bytes, the most a build request may be (it must fit in a queue message). Trim startTask or split the pools into several requests.`;

/**
 * The body of a JSON route, read no further than `limit` bytes. A body of another media type is
 * refused (415) — a form post from a web page is never a build request — and so is a charset other
 * than UTF-8 (the body is decoded as UTF-8, RFC 8259 §8.1); a larger one (413) names the limit. Either
 * way the caller gets the answer to send instead of the text.
 */
export async function readJsonText(
  request: HttpRequest,
  limit: number,
  options: JsonBodyOptions = {},
): Promise<{ text: string } | { refusal: HttpResponseInit }> {
  const [media, ...params] = (request.headers.get('content-type') ?? '').split(';');
  const type = media!.trim().toLowerCase();
  const refuse = (error: string) => ({ refusal: { status: 415, jsonBody: { error } } });
  const wrongType = refuse(
    `Content-Type "${type || '(none)'}" is not accepted; send the request as application/json.`,
  );
  if (type !== 'application/json' && !(type === '' && options.optional)) return wrongType;
  const charset = charsetOf(params);
  if (charset !== undefined && !['utf-8', 'utf8'].includes(charset.toLowerCase()))
    return refuse(`charset "${charset}" is not accepted; send the body as UTF-8 (charset=utf-8, or none).`);
  const tooLarge = {
    refusal: {
      status: 413,
      jsonBody: { error: options.tooLargeMessage ?? BUILD_REQUEST_TOO_LARGE(limit) },
    },
  };
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  const bytes = await readAtMost(request, limit);
  if (bytes === undefined) return tooLarge;
  // No Content-Type is taken only for no body at all: a body must say it is JSON.
  if (type === '' && bytes.length > 0) return wrongType;
  return { text: bytes.toString('utf8') };
}

function charsetOf(params: string[]): string | undefined {
  for (const p of params) {
    const [name, value] = p.split('=');
    if (name?.trim().toLowerCase() === 'charset') return (value ?? '').trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** The body's bytes, or undefined once it passes `limit` (the rest is not read). */
async function readAtMost(request: HttpRequest, limit: number): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done || !value) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel();
        return undefined;
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}
