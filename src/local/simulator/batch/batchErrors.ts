import type { SimResponse } from '../http';

/** Batch's OData error shape, as the @azure/batch SDK parses it into a BatchError. */
export class BatchFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly values: { key: string; value: string }[] = [],
  ) {
    super(message);
  }
}

export function batchError(
  origin: string,
  failure: BatchFailure,
  requestId: string,
  nowIso: string,
): SimResponse {
  return {
    status: failure.status,
    headers: { 'Content-Type': 'application/json;odata=minimalmetadata', 'request-id': requestId },
    text: JSON.stringify({
      'odata.metadata': `${origin}/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element`,
      code: failure.code,
      message: { lang: 'en-US', value: `${failure.message}\nRequestId:${requestId}\nTime:${nowIso}` },
      ...(failure.values.length ? { values: failure.values } : {}),
    }),
  };
}

/** A 400 refusal with Batch's detail values, in order: `{ PropertyName: 'id' }` → `[{ key, value }]`. */
export const badRequest = (code: string, message: string, details: Record<string, string>) =>
  new BatchFailure(
    400,
    code,
    message,
    Object.entries(details).map(([key, value]) => ({ key, value })),
  );

export const invalidProperty = (property: string, reason: string) =>
  badRequest(
    'InvalidPropertyValue',
    'The value provided for one of the properties in the request body is invalid.',
    {
      PropertyName: property,
      Reason: reason,
    },
  );

export const poolNotFound = () => new BatchFailure(404, 'PoolNotFound', 'The specified pool does not exist.');
