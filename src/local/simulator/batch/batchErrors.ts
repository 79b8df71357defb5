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

export const invalidProperty = (property: string, reason: string) =>
  new BatchFailure(
    400,
    'InvalidPropertyValue',
    'The value provided for one of the properties in the request body is invalid.',
    [
      { key: 'PropertyName', value: property },
      { key: 'Reason', value: reason },
    ],
  );

export const poolNotFound = () => new BatchFailure(404, 'PoolNotFound', 'The specified pool does not exist.');
