import type { SimRequest, SimResponse } from '../http';
import type { BatchAccountState } from '../model';
import type { World } from '../world';

/**
 * A route of the Batch data plane: the account the request came to, the path below the account split
 * on `/` (`rest`, its first segment the collection), and `base`, the account's URL the answers link to.
 */
export type BatchRoute = (
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  rest: string[],
  base: string,
) => SimResponse;
