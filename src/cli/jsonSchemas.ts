import { zodToJsonSchema } from 'zod-to-json-schema';
import type { z } from 'zod';
import { buildRequestSchema } from '../domain/buildRequest';
import { factoryConfigSchema } from '../domain/factoryConfig';
import { EVENT_DATA_SCHEMAS, type EventType } from '../domain/events';
import { timingProfileSchema } from '../domain/timings/profile';

/** The JSON Schemas published under `schemas/`, keyed by their path there. Generated, never hand-edited. */
export function publishedJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {
    'build-request.schema.json': toJsonSchema(
      buildRequestSchema,
      'BuildRequest',
      'A batch-image-factory build request (queue message or POST /api/builds body).',
    ),
    'factory-config.schema.json': toJsonSchema(
      factoryConfigSchema,
      'FactoryConfig',
      'Standing desired state: watched image definitions, their follower pools, refresh recipes and retention.',
    ),
    'timings.schema.json': toJsonSchema(
      timingProfileSchema,
      'Timings',
      'Per-region timings for `bif simulate --timings FILE`: replication minutes and pool allocation rate; a region left out keeps the built-in model.',
    ),
  };
  for (const [type, schema] of Object.entries(EVENT_DATA_SCHEMAS) as [EventType, z.ZodTypeAny][]) {
    out[`events/${type}.schema.json`] = toJsonSchema(schema, type, `The data of a ${type} CloudEvent.`);
  }
  return out;
}

function toJsonSchema(schema: z.ZodTypeAny, title: string, description: string): object {
  // "input" strategies: publish what senders may write (defaults optional, before transforms).
  const convert = zodToJsonSchema as (s: unknown, o: object) => object; // its generic types recurse too deep for tsc
  const json = convert(schema, {
    target: 'jsonSchema7',
    $refStrategy: 'none',
    effectStrategy: 'input',
    pipeStrategy: 'input',
  });
  return { ...json, title, description };
}
