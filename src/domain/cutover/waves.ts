import { z } from 'zod';
import { normalizeRegion, REGION_PATTERN } from '../region';
import { finding, type Finding } from '../findings';

/**
 * Waves: the order in which regions cut over to a new image (a canary region first, the rest later).
 * Replication is not ordered (the version's PUT names every region at once); what waits is the pool
 * work of a region: creating its new pools and retiring the ones they replace.
 *
 * Semantics, chosen to read the way a release plan is written:
 * - wave N+1 starts only once every region of wave N passed (replicated, every pool ready, nothing left
 *   undrained), then `soakMinutes` of wave N have passed;
 * - `approval: true` holds THIS wave until someone approves it (`POST /api/builds/{id}/approve`,
 *   `bif approve`); an approval may come early, it is kept until the wave is due;
 * - every region with pools is in exactly one wave (a missing one is an error, never guessed: a region
 *   silently added to the last wave would skip the canary the author meant to write); regions that only
 *   replicate (no pools) may be named, and otherwise go with the first wave.
 */

/** An approval that never comes fails its wave after this long (7 days) unless the wave says otherwise. */
export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 7 * 24 * 60;
export const MAX_WAVES = 20;
/** The external event an approval raises on the pipeline instance. */
export const APPROVAL_EVENT = 'bif-wave-approval';

const regionName = z
  .string()
  .min(1)
  .transform(normalizeRegion)
  .refine((r) => REGION_PATTERN.test(r), { message: 'must be an Azure region name such as "westeurope"' });

export const waveSchema = z
  .object({
    regions: z.array(regionName).min(1),
    /** Minutes to wait after this wave passed before the next one starts. */
    soakMinutes: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 60)
      .default(0),
    /** Hold this wave until it is approved. */
    approval: z.boolean().default(false),
    /** How long an approval may take before the wave fails (default 7 days). */
    approvalTimeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60)
      .default(DEFAULT_APPROVAL_TIMEOUT_MINUTES),
  })
  .strict();

export const wavesSchema = z
  .array(waveSchema)
  .min(1)
  .max(MAX_WAVES)
  .describe('Cutover order: a list of waves, each a list of regions (see docs/cutover.md)')
  .optional();

export type Wave = z.output<typeof waveSchema>;

/** What the waves name against the request: every pool region once, nothing unknown. */
export function checkWaves(
  waves: readonly Wave[] | undefined,
  poolRegions: readonly string[],
  extraRegions: readonly string[] = [],
): Finding[] {
  if (!waves) return [];
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  const known = new Set([...poolRegions, ...extraRegions]);
  waves.forEach((wave, w) =>
    wave.regions.forEach((region, r) => {
      const path = `waves[${w}].regions[${r}]`;
      const earlier = seen.get(region);
      if (earlier !== undefined)
        findings.push(
          finding(
            'WAVE_REGION_DUPLICATE',
            path,
            `${path} ${region} is already in wave ${earlier + 1}; a region belongs to exactly one wave: remove one of them.`,
          ),
        );
      else if (!known.has(region))
        findings.push(
          finding(
            'WAVE_REGION_UNKNOWN',
            path,
            `${path} ${region} has no pool in this request (pool regions: ${[...new Set(poolRegions)].join(', ') || 'none'}); remove it or fix its spelling.`,
          ),
        );
      seen.set(region, earlier ?? w);
    }),
  );
  for (const region of new Set(poolRegions))
    if (!seen.has(region))
      findings.push(
        finding(
          'WAVE_REGION_MISSING',
          'waves',
          `waves: region ${region} has pools but is in no wave; add it to one (e.g. the last) so its cutover has a place in the order.`,
        ),
      );
  return findings;
}

/**
 * The regions of each wave, for a rollout over `regions` (every target region): regions no wave names
 * (they have no pools: replication only) join the first wave. Only regions of the rollout are kept.
 */
export function regionsByWave(waves: readonly Wave[], regions: readonly string[]): string[][] {
  const named = new Set(waves.flatMap((w) => w.regions));
  const rest = regions.filter((r) => !named.has(r));
  return waves.map((wave, i) => [
    ...wave.regions.filter((r) => regions.includes(r)),
    ...(i === 0 ? rest : []),
  ]);
}

export type WaveState =
  'pending' | 'awaiting-approval' | 'running' | 'soaking' | 'passed' | 'failed' | 'skipped';

/** One wave in the pipeline's custom status (numbered from 1, as people say "wave 1"). */
export interface WaveLine {
  wave: number;
  regions: string[];
  state: WaveState;
  approval: boolean;
  soakMinutes: number;
  /** Since when the wave waits for its approval (ISO time). */
  awaitingApprovalSince?: string;
  approvedAt?: string;
  approvedBy?: string;
  /** When the soak after this wave ends (ISO time). */
  soakUntil?: string;
  reason?: string;
}

export function waveLines(waves: readonly Wave[], byWave: readonly string[][]): WaveLine[] {
  return waves.map((w, i) => ({
    wave: i + 1,
    regions: byWave[i] ?? [],
    state: 'pending',
    approval: w.approval,
    soakMinutes: w.soakMinutes,
  }));
}

const FINAL: readonly WaveState[] = ['passed', 'failed', 'skipped'];

/** What the rollout may do now: the pure decision the orchestrator follows, one step at a time. */
export type WaveStep =
  | { kind: 'done' }
  /** An earlier wave failed: this wave's regions only replicate, no pool is touched. */
  | { kind: 'skip'; wave: number; reason: string }
  | { kind: 'await-approval'; wave: number }
  | { kind: 'start'; wave: number };

export function nextWaveStep(lines: readonly WaveLine[]): WaveStep {
  const next = lines.find((l) => !FINAL.includes(l.state));
  if (!next) return { kind: 'done' };
  const failed = lines.find((l) => l.state === 'failed');
  if (failed) return { kind: 'skip', wave: next.wave, reason: `wave ${failed.wave} failed` };
  if (next.approval && !next.approvedAt) return { kind: 'await-approval', wave: next.wave };
  return { kind: 'start', wave: next.wave };
}

/**
 * Which wave an approval is for: the wave it names, or else the first wave still to come that needs
 * one and has none. Only a wave that has not started and needs an approval can take one; otherwise the
 * reason names the next wave and what it waits for (the HTTP route answers 409 with it).
 */
export function approvalTarget(
  lines: readonly WaveLine[],
  requested?: number,
): { ok: true; wave: number } | { ok: false; reason: string } {
  const open = (l: WaveLine) =>
    l.approval && !l.approvedAt && ['pending', 'awaiting-approval'].includes(l.state);
  if (requested !== undefined) {
    const line = lines.find((l) => l.wave === requested);
    if (!line) return { ok: false, reason: `there is no wave ${requested} (waves 1-${lines.length})` };
    if (open(line)) return { ok: true, wave: requested };
    const why = !line.approval
      ? 'does not need an approval'
      : line.approvedAt
        ? `was already approved${line.approvedBy ? ` by ${line.approvedBy}` : ''}`
        : `is ${line.state}`;
    return { ok: false, reason: `wave ${requested} ${why}; ${describeNext(lines)}` };
  }
  const line = lines.find(open);
  return line
    ? { ok: true, wave: line.wave }
    : { ok: false, reason: `no wave waits for an approval; ${describeNext(lines)}` };
}

function describeNext(lines: readonly WaveLine[]): string {
  const next = lines.find((l) => !FINAL.includes(l.state));
  if (!next) return 'every wave has ended';
  return `the next wave is ${next.wave} (${next.regions.join(', ')}), ${next.state}`;
}

/** The order `bif plan` shows: each wave with its regions (after regionsByWave) and what it waits for. */
export interface PlannedWave extends Wave {
  wave: number;
}

export function planWaves(waves: readonly Wave[], regions: readonly string[]): PlannedWave[] {
  const byWave = regionsByWave(waves, regions);
  return waves.map((w, i) => ({ ...w, wave: i + 1, regions: byWave[i] ?? [] }));
}
