import { createHttpHeaders, createPipelineRequest, type PipelineRequest } from '@azure/core-rest-pipeline';
import {
  API_VERSION_HEADER,
  apiVersionOverridePolicy,
  withApiVersion,
} from '../../../src/azure/apiVersionOverride';

/** The one-operation api-version override: only a request that asks for it changes, and the marker never leaves. */
async function send(headers: Record<string, string>) {
  const request = createPipelineRequest({
    url: 'https://management.azure.com/subscriptions/s/resourceGroups/g/providers/Microsoft.Batch/batchAccounts/a/pools/p?api-version=2023-11-01&x=1',
    method: 'PATCH',
    headers: createHttpHeaders(headers),
  });
  let sent: PipelineRequest | undefined;
  await apiVersionOverridePolicy.sendRequest(request, async (r) => {
    sent = r;
    return { request: r, status: 200, headers: createHttpHeaders() };
  });
  return sent!;
}

describe('api-version override policy', () => {
  it('rewrites api-version for a request that carries the marker, and drops the marker', async () => {
    const sent = await send(withApiVersion('2024-07-01').requestOptions.customHeaders);
    const url = new URL(sent.url);
    expect(url.searchParams.get('api-version')).toBe('2024-07-01');
    expect(url.searchParams.get('x')).toBe('1');
    expect(sent.headers.has(API_VERSION_HEADER)).toBe(false);
  });

  it('leaves every other request as the SDK made it', async () => {
    const sent = await send({});
    expect(new URL(sent.url).searchParams.get('api-version')).toBe('2023-11-01');
  });
});
