import { BatchFailure, badRequest } from './batchErrors';

/*
 * The refusals every Batch data-plane resource (pools, jobs, job schedules, tasks) answers alike, with
 * Batch's own codes and texts (Batch status and error codes), so each route states only its rules.
 */

/** A path below a resource that names nothing (an unknown action or sub-collection). */
export const invalidUri = () =>
  new BatchFailure(404, 'InvalidUri', 'The requested URI does not represent any resource on the server.');

/** A method the resource does not take; `what` names the resource as the message does ("on jobs"). */
export const unsupportedVerb = (method: string, what: string) =>
  new BatchFailure(405, 'UnsupportedHttpVerb', `${method} is not supported on ${what}.`);

export const missingProperty = (name: string) =>
  badRequest(
    'MissingRequiredProperty',
    `A required property was not specified in the request body: ${name}.`,
    {
      PropertyName: name,
    },
  );

/** A body that is not a JSON object at all. */
export function requireBody(body: unknown): asserts body is Record<string, unknown> {
  if (!body || typeof body !== 'object')
    throw new BatchFailure(
      400,
      'InvalidRequestBody',
      'The specified Request Body is not syntactically valid.',
    );
}

/** The first of `fields` the body lacks (absent or empty), refused as Batch refuses it. */
export function requireFields(body: Record<string, unknown> | undefined, fields: string[]): void {
  for (const field of fields) if (!body?.[field]) throw missingProperty(field);
}
