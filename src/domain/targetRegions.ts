/** One region of an image version's publishing profile, as the pipeline asks for it. */
export interface TargetRegionSpec {
  name: string;
  replicaCount: number;
  storageAccountType: string;
  excludeFromLatest?: boolean;
}

/** Rolling out an existing version: keep its regions, add ours, never lower a replica count. */
export function mergeTargetRegions(
  existing: TargetRegionSpec[],
  planned: TargetRegionSpec[],
): TargetRegionSpec[] {
  const merged = new Map(existing.map((r) => [r.name, { ...r }]));
  for (const r of planned) {
    const current = merged.get(r.name);
    merged.set(
      r.name,
      current ? { ...current, replicaCount: Math.max(current.replicaCount, r.replicaCount) } : r,
    );
  }
  return [...merged.values()];
}
