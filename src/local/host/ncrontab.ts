/**
 * Azure Functions timer schedules: 6-field NCRONTAB (second minute hour day month day-of-week) with
 * `*`, lists, ranges and steps. Enough to find the next occurrence on the virtual clock.
 */
const RANGES: [number, number][] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

type Schedule = Set<number>[];

export function parseNcrontab(expression: string): Schedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new Error(
      `"${expression}" is not a 6-field NCRONTAB expression (second minute hour day month weekday).`,
    );
  return fields.map((field, i) => {
    const [min, max] = RANGES[i]!;
    const values = new Set<number>();
    for (const part of field.split(',')) {
      const [range, stepText] = part.split('/');
      const step = stepText ? Number(stepText) : 1;
      const [from, maybeTo] =
        range === '*' ? [min, max] : (range!.split('-').map(Number) as [number, number?]);
      const to = maybeTo ?? (stepText ? max : from);
      if (![from, to, step].every(Number.isInteger) || from < min || to > max || step < 1)
        throw new Error(`"${part}" is not valid in field ${i + 1} of "${expression}".`);
      for (let v = from; v <= to; v += step) values.add(i === 5 && v === 7 ? 0 : v);
    }
    return values;
  });
}

/** The first instant strictly after `afterMs` (UTC) that the schedule matches, searching up to a year ahead. */
export function nextOccurrence(schedule: Schedule, afterMs: number): number {
  const [seconds, minutes, hours, days, months, weekdays] = schedule as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const start = Math.floor(afterMs / 1000) * 1000 + 1000;
  let minute = Math.floor(start / 60_000) * 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, minute += 60_000) {
    const d = new Date(minute);
    if (
      !months.has(d.getUTCMonth() + 1) ||
      !days.has(d.getUTCDate()) ||
      !weekdays.has(d.getUTCDay()) ||
      !hours.has(d.getUTCHours()) ||
      !minutes.has(d.getUTCMinutes())
    )
      continue;
    for (const s of [...seconds].sort((a, b) => a - b)) {
      const at = minute + s * 1000;
      if (at >= start) return at;
    }
  }
  throw new Error('The schedule has no occurrence within a year.');
}
