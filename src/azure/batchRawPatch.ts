import type { BatchServiceClient } from '@azure/batch';

/**
 * A job schedule PATCH with a body we build ourselves. @azure/batch 10.2's serializer keeps only the
 * properties its 2022-10-01.16.0 models know, so a jobSpecification read back and sent through
 * `jobSchedule.patch` loses anything newer (and the PATCH replaces jobSpecification whole). Sent raw
 * through the client's own pipeline (same credential, retries, api-version), every property Batch
 * returned goes back as it was. A refusal throws the SDK's error shape, for `toFactoryError`.
 */
export async function patchScheduleRaw(
  client: BatchServiceClient,
  scheduleId: string,
  body: Record<string, unknown>,
  eTag: string | undefined,
): Promise<void> {
  const response = await client.sendRequest({
    method: 'PATCH',
    url: `${client.batchUrl}/jobschedules/${encodeURIComponent(scheduleId)}`,
    queryParameters: { 'api-version': client.apiVersion ?? '2022-10-01.16.0' },
    headers: {
      'Content-Type': 'application/json; odata=minimalmetadata; charset=utf-8',
      ...(eTag ? { 'If-Match': eTag } : {}),
    },
    body,
  });
  if (response.status < 300) return;
  const error = (response.parsedBody ?? safeParse(response.bodyAsText ?? undefined)) as
    { code?: string; message?: { value?: string } | string } | undefined;
  const message = typeof error?.message === 'string' ? error.message : error?.message?.value;
  throw Object.assign(new Error(message ?? `HTTP ${response.status}`), {
    statusCode: response.status,
    code: error?.code,
    response,
  });
}

function safeParse(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
