/**
 * The facts of a shrink-old-first shrink, kept on the OLD POOL itself (a Batch pool metadata entry), not
 * only in the build's orchestration input: a second build replacing the same pool, or a resubmitted run
 * of a terminated build, reads the pool's targets after the shrink, and only the pool can tell them
 * what it held before. The job marker `bif-migration` (activities/jobs.ts) is the model.
 */
export const SHRINK_METADATA = 'bif-shrink';

export interface ShrinkMarker {
  requestId: string;
  instanceId: string;
  /** The pool's targets before the first shrink of this cutover: what any restore resizes it back to. */
  fromDedicated: number;
  fromLowPriority: number;
  toDedicated: number;
  toLowPriority: number;
  /** When the shrink was asked (ISO-8601), for the operator reading the pool. */
  at: string;
}

export type Metadata = { name: string; value: string }[];

/**
 * Anyone who may write the pool may write its metadata: a marker is trusted only within what a shrink
 * could have written. Batch bounds a pool by the account's core quota, not a node count; 100 000 nodes is
 * far past any account's quota, and a marker claiming more (1e15 in a hostile test) would have the restore
 * grow the pool to the whole quota.
 */
export const MAX_MARKER_NODES = 100_000;

/** The marker of a pool's metadata; undefined when there is none or it is not ours to read. */
export function shrinkMarkerOf(metadata: Metadata | undefined): ShrinkMarker | undefined {
  const raw = metadata?.find((m) => m.name === SHRINK_METADATA)?.value;
  if (raw === undefined) return undefined;
  try {
    const m = JSON.parse(raw) as Partial<ShrinkMarker>;
    const counts = [m.fromDedicated, m.fromLowPriority, m.toDedicated, m.toLowPriority];
    if (typeof m.requestId !== 'string' || typeof m.instanceId !== 'string') return undefined;
    if (!counts.every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= MAX_MARKER_NODES))
      return undefined;
    // A shrink goes down: a marker whose "before" is below its "after" was not written by one.
    if (m.fromDedicated! < m.toDedicated! || m.fromLowPriority! < m.toLowPriority!) return undefined;
    return m as ShrinkMarker;
  } catch {
    // A value edited by hand into something else: no marker (the pool's own targets are used).
    return undefined;
  }
}

/**
 * The pool's metadata with the marker set. ARM's Pool Update replaces the whole metadata list when the
 * PATCH carries one, so the owner's other entries are copied through (read-modify-write).
 */
export function withShrinkMarker(metadata: Metadata | undefined, marker: ShrinkMarker): Metadata {
  return [...withoutShrinkMarker(metadata), { name: SHRINK_METADATA, value: JSON.stringify(marker) }];
}

export function withoutShrinkMarker(metadata: Metadata | undefined): Metadata {
  return (metadata ?? []).filter((m) => m.name !== SHRINK_METADATA);
}

/**
 * How planning treats an old pool's marker: `own` (an earlier run of this request, terminated or
 * crashed) and `ended` (a build no longer running) mean the pool's true targets are the marker's
 * `from*`; `busy`: another build that still runs is cutting the pool over, hands off.
 */
export interface ShrunkBy {
  requestId: string;
  instanceId: string;
  fromDedicated: number;
  fromLowPriority: number;
  by: 'own' | 'ended' | 'busy';
}
