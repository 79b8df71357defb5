import type { HttpResponseInit } from '@azure/functions';
import { REQUEST_ID_PATTERN } from '../domain/buildRequest';

/**
 * The 400 for a `{requestId}` route parameter that is not a request id, or undefined when it is one.
 * Only a valid request id names a build: "sec/1" or "sec 1" would otherwise map onto build "sec-1".
 */
export function refuseBadRequestId(requestId: string): HttpResponseInit | undefined {
  if (REQUEST_ID_PATTERN.test(requestId)) return undefined;
  return {
    status: 400,
    jsonBody: {
      error: `"${requestId.slice(0, 120)}" is not a request id (letters, digits, . _ -; 1-100 characters).`,
    },
  };
}
