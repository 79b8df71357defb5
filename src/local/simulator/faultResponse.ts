import type { SimRequest, SimResponse } from './http';
import type { FaultRule } from './faults';
import { armError } from './arm/armErrors';
import { BatchFailure, batchError } from './batch/batchErrors';
import type { World } from './world';

/**
 * The answer an injected request fault gives in place of the service's: a 429 with the headers ARM
 * sends when throttling, or an error status, shaped as the service (ARM or Batch) shapes its errors.
 */
export function faultResponse(
  fault: FaultRule,
  request: SimRequest,
  target: { service: 'arm' | 'batch'; batchUrl: string },
  world: World,
): SimResponse {
  const status = fault.kind === 'throttle' ? 429 : (fault.status ?? 500);
  const headers: Record<string, string> = {};
  if (fault.kind === 'throttle') {
    headers['Retry-After'] = String(fault.retryAfterSeconds ?? 1);
    headers[`x-ms-ratelimit-remaining-subscription-${request.method === 'GET' ? 'reads' : 'writes'}`] = '0';
  } else if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
  const code =
    fault.code ??
    (status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : 'InternalServerError');
  const message = fault.message ?? `Injected fault: ${code}.`;
  if (target.service === 'batch') {
    const response = batchError(
      target.batchUrl,
      new BatchFailure(status, code, message),
      world.nextId('b0000000'),
      world.clock.now().toISOString(),
    );
    return { ...response, headers: { ...response.headers, ...headers } };
  }
  return armError(status, code, message, undefined, headers);
}
