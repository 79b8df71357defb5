/** A sim time as the ISO 8601 text Batch answers times in. */
export const iso = (ms: number) => new Date(ms).toISOString();

interface Stateful {
  id: string;
  eTag: string;
  state: string;
  createdAtSimMs: number;
  lastModifiedSimMs: number;
  /** Absent until the first change of state: the creation time stands for it. */
  stateTransitionSimMs?: number;
}

/**
 * The properties a job's and a job schedule's answer open with, in Batch's order (BatchService.json
 * CloudJob, CloudJobSchedule): identity, its URL, the times, the state.
 */
export function resourceHead(resource: Stateful, url: string): Record<string, unknown> {
  return {
    id: resource.id,
    url,
    eTag: resource.eTag,
    lastModified: iso(resource.lastModifiedSimMs),
    creationTime: iso(resource.createdAtSimMs),
    state: resource.state,
    stateTransitionTime: iso(resource.stateTransitionSimMs ?? resource.createdAtSimMs),
  };
}
