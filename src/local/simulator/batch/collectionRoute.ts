import type { SimRequest, SimResponse } from '../http';
import { unsupportedVerb } from './batchRefusals';
import { listPage } from './listQuery';

type Item = Record<string, unknown>;

/** A Batch collection (jobs, job schedules, a job's tasks) as its own URL serves it. */
export interface Collection {
  /** As Batch's 405 names it ("job schedules"). */
  name: string;
  /** The `odata.metadata` of its list answer. */
  metadata: string;
  add(): SimResponse;
  /** Its items as the list renders them, before paging and `$filter`. */
  items(): Item[];
  /** The properties its `$filter` takes (Batch's OData filter table for the list). */
  filterable: Record<string, (item: Item) => string | undefined>;
}

/** POST adds to the collection, GET lists it (paged, filtered); any other method is refused with 405. */
export function serveCollection(req: SimRequest, collection: Collection): SimResponse {
  if (req.method === 'POST') return collection.add();
  if (req.method === 'GET')
    return listPage(req, collection.items(), collection.metadata, collection.filterable);
  throw unsupportedVerb(req.method, collection.name);
}
