/**
 * ISO-8601 durations as Batch and Durable use them (`PT15M`, `PT1H30M`, `P1DT2H`). Years and months are
 * refused: their length depends on the calendar and no Azure timeout we set needs them.
 */
const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDurationMs(value: string): number | undefined {
  const m = PATTERN.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) return undefined;
  const [, w, d, h, min, s] = m;
  const n = (x: string | undefined) => (x === undefined ? 0 : Number(x));
  return ((((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000;
}

/** Whole minutes as the shortest ISO-8601 duration: 45 → PT45M, 90 → PT1H30M, 1440 → P1D. */
export function formatMinutes(totalMinutes: number): string {
  const minutes = Math.max(0, Math.round(totalMinutes));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  let time = '';
  if (hours) time += `${hours}H`;
  if (mins) time += `${mins}M`;
  if (!days && !time) return 'PT0M';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

export const MINUTE_MS = 60_000;

/** "90 minutes", "36 hours": deadlines in failure messages. */
export function describeMs(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 180 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}
