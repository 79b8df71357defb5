import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';

/**
 * The processes a local world started, recorded in its work folder so that the next start (or
 * `bif clean`) can end any that outlived a `kill -9`. A PID alone is not proof: PIDs are reused, so
 * a recorded process is only ours while /proc still shows the same start time and command line.
 */
export interface RecordedProcess {
  /** What it is, for messages: "bif start", "azurite". */
  role: string;
  pid: number;
  /** Jiffies since boot when it started (field 22 of /proc/PID/stat): tells a reused PID apart. */
  startTime?: string;
  /** A piece of its command line that only this world's process has (e.g. its data folder). */
  marker: string;
}

/** The process as /proc sees it now, or undefined when there is no such process (or no /proc). */
export function procInfo(pid: number): { cmdline: string; startTime: string } | undefined {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in field 2 may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // a zombie has already ended; only its parent can reap it
    return { cmdline, startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

export function recordOf(role: string, pid: number, marker: string): RecordedProcess {
  return { role, pid, marker, startTime: procInfo(pid)?.startTime };
}

/** True while `record` still names the very process that was recorded. */
export function stillRunning(record: RecordedProcess): boolean {
  const now = procInfo(record.pid);
  if (!now || !now.cmdline.includes(record.marker)) return false;
  return record.startTime === undefined || record.startTime === now.startTime;
}

export function readRecords(path: string): RecordedProcess[] {
  if (!existsSync(path)) return [];
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RecordedProcess[];
  } catch {
    return []; // a torn file: the start after it records afresh
  }
}

export function writeRecords(path: string, records: RecordedProcess[]): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(records, null, 2));
  renameSync(`${path}.tmp`, path);
}

/**
 * Ends the recorded processes that are still ours (SIGKILL: they were orphaned by a crash and have
 * nothing to flush that a clean start would want) and waits, time-boxed, until they are gone.
 * Returns the ones it ended.
 */
export async function endOrphans(records: RecordedProcess[], timeoutMs = 5000): Promise<RecordedProcess[]> {
  const ours = records.filter((r) => r.pid !== process.pid && stillRunning(r));
  for (const r of ours) {
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      // it ended between the check and the kill
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (ours.some(stillRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return ours;
}
