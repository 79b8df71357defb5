import type { HttpRequest, HttpResponseInit } from '@azure/functions';

/**
 * The body of a JSON route, read no further than `limit` bytes. A body of another media type is
 * refused (415) — a form post from a web page is never a build request — and a larger one (413)
 * names the limit. Either way the caller gets the answer to send instead of the text.
 */
export async function readJsonText(
  request: HttpRequest,
  limit: number,
): Promise<{ text: string } | { refusal: HttpResponseInit }> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return {
      refusal: {
        status: 415,
        jsonBody: {
          error: `Content-Type "${type || '(none)'}" is not accepted; send the request as application/json.`,
        },
      },
    };
  const tooLarge = {
    refusal: {
      status: 413,
      jsonBody: {
        error: `The request is larger than ${limit} bytes, the most a build request may be (it must fit in a queue message). Trim startTask or split the pools into several requests.`,
      },
    },
  };
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
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
        return tooLarge;
      }
      chunks.push(value);
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8') };
}
