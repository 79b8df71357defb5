import { exampleInput } from '../helpers/requests';

/** A one-region request with its own ids, so runs in one world never collide. */
export function smallRequest(
  n: number | string,
  edit?: (i: Record<string, any>) => void,
): Record<string, any> {
  const input = exampleInput() as Record<string, any>;
  input.requestId = `rel-${n}`;
  input.image.definition = 'rel-image';
  input.image.version = `5.0.${String(n).replace(/\D/g, '') || '0'}`;
  input.pools[0].poolId = `rel-pool-${n}`;
  delete input.pools[0].replaces;
  input.retention = { keepVersions: 100 };
  edit?.(input);
  return input;
}
