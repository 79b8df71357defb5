/**
 * Moving work from a replaced pool to its successor, decided from what Batch reports, so a replay or a
 * restart after a crash continues where the last attempt stopped and never moves anything twice.
 *
 * Batch allows a job's pool to change only while the job is disabled (Job_Patch in BatchService.json):
 * a job is marked (metadata `bif-migration`: from, to, and the state it had), disabled with `wait` so
 * running tasks finish, given its new pool, then enabled again if it was active before. The marker is
 * what tells a job this pipeline disabled from one its owner disabled; it is taken off once the job is
 * on its new pool in the state it had.
 */
export const MIGRATION_MARKER = 'bif-migration';

export interface JobMarker {
  from: string;
  to: string;
  /** The job's state before the move: only a job that was active is enabled again. */
  wasState: 'active' | 'disabled';
}

/** A job as Batch reports it. */
export interface JobReading {
  jobId: string;
  state: string;
  poolId?: string;
  metadata: { name: string; value: string }[];
}

export type JobStep =
  | 'mark'
  | 'disable'
  | 'wait'
  | 'repool'
  | 'enable'
  /** On the new pool in the state it had: the marker is taken off (the owner's metadata as it was). */
  | 'unmark'
  | 'done'
  /** Completed, terminating or being deleted: nothing left to move. */
  | 'ended'
  /** On neither pool (its owner moved it): left alone. */
  | 'elsewhere';

export function readMarker(job: JobReading): JobMarker | undefined {
  const raw = job.metadata.find((m) => m.name === MIGRATION_MARKER)?.value;
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<JobMarker>;
    if (typeof parsed.from === 'string' && typeof parsed.to === 'string')
      return {
        from: parsed.from,
        to: parsed.to,
        wasState: parsed.wasState === 'disabled' ? 'disabled' : 'active',
      };
  } catch {
    // someone else's value under our name: treated as no marker
  }
  return undefined;
}

const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** Batch refuses to change a job or schedule in these states: there is nothing left to move. */
export const ENDED_STATES = ['completed', 'terminating', 'deleting'];
export const hasEnded = (state: string) => ENDED_STATES.includes(state);

/** The next thing to do to move `job` from pool `from` to pool `to`. */
export function nextJobStep(job: JobReading, from: string, to: string): JobStep {
  if (hasEnded(job.state)) return 'ended';
  const marker = readMarker(job);
  const ours = marker !== undefined && same(marker.from, from) && same(marker.to, to);
  // A move the other way that stopped before repointing the job leaves it disabled here: enable it too.
  const reverse = marker !== undefined && same(marker.from, to) && same(marker.to, from);
  if (same(job.poolId, to)) {
    if (!ours && !reverse) return 'done';
    if (job.state === 'disabling') return 'wait';
    if (marker.wasState === 'active' && job.state === 'disabled') return 'enable';
    return 'unmark';
  }
  if (!same(job.poolId, from)) return 'elsewhere';
  if (!ours) return 'mark';
  if (job.state === 'active') return 'disable';
  if (job.state === 'disabled') return 'repool';
  return 'wait'; // disabling (tasks still running) or enabling
}

/**
 * The marker for a move: a move back (the reverse of a marked move) keeps the state the job had before
 * the first move, so a job the first move left disabled is still enabled again in the end.
 */
export function markerFor(job: JobReading, from: string, to: string): JobMarker {
  const previous = readMarker(job);
  const reverse = previous && same(previous.from, to) && same(previous.to, from);
  // A job its owner was disabling is on its way to disabled: the owner's choice, kept after the move.
  const ownerDisabled = job.state === 'disabled' || job.state === 'disabling';
  const wasState = reverse ? previous.wasState : ownerDisabled ? 'disabled' : 'active';
  return { from, to, wasState };
}

/** The job's metadata with the marker set (Batch's PATCH replaces the whole metadata list). */
export function withMarker(job: JobReading, marker: JobMarker): { name: string; value: string }[] {
  return [
    ...job.metadata.filter((m) => m.name !== MIGRATION_MARKER),
    { name: MIGRATION_MARKER, value: JSON.stringify(marker) },
  ];
}

/**
 * The job's metadata without the marker: once a job is on its new pool in the state it had, a move
 * back (should a later step fail) reads that state from the job itself, so the marker is not needed.
 */
export function withoutMarker(job: JobReading): { name: string; value: string }[] {
  return job.metadata.filter((m) => m.name !== MIGRATION_MARKER);
}

/**
 * The schedules whose jobSpecification targets `poolId`: those to move (active or disabled) and those
 * that ended (Batch answers 409 to a change), which are reported as skipped.
 */
export function schedulesOnPool<S extends { scheduleId: string; state: string; poolId?: string }>(
  schedules: S[],
  poolId: string,
): { move: S[]; ended: string[] } {
  const onPool = schedules.filter((s) => same(s.poolId, poolId));
  return {
    move: onPool.filter((s) => !hasEnded(s.state)),
    ended: onPool.filter((s) => hasEnded(s.state)).map((s) => s.scheduleId),
  };
}
