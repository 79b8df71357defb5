import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * @azure/arm-batch 9.1.0 speaks Microsoft.Batch 2023-11-01, but changing an existing pool's image needs
 * 2024-07-01 or later (https://learn.microsoft.com/azure/batch/batch-pool-update-properties). Rather than
 * a second client, one operation asks for a newer version with this request header; the policy moves it
 * into the query string (and drops the header), so every other call keeps the SDK's own version.
 */
export const API_VERSION_HEADER = 'x-bif-api-version';

export const apiVersionOverridePolicy: PipelinePolicy = {
  name: 'bifApiVersionOverride',
  async sendRequest(request, next) {
    const wanted = request.headers.get(API_VERSION_HEADER);
    if (wanted) {
      request.headers.delete(API_VERSION_HEADER);
      const url = new URL(request.url);
      url.searchParams.set('api-version', wanted);
      request.url = url.toString();
    }
    return next(request);
  },
};

/** Operation options that send one request with `apiVersion`. */
export function withApiVersion(apiVersion: string) {
  return { requestOptions: { customHeaders: { [API_VERSION_HEADER]: apiVersion } } };
}
