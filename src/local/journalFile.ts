import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * A state file as one snapshot line followed by journal lines, shared by the local Service Bus broker
 * and the cloud simulator. Both must keep what they acknowledged across a `kill -9`, and both hold far
 * more state than one request changes: appending the change costs what the change costs, where
 * rewriting the whole state cost what the state costs. When the journal outgrows what it describes
 * (`outgrows`), the owner rewrites one snapshot atomically (temporary file, then rename), so a kill
 * never leaves half a snapshot.
 */
export interface JournalContents<S, E> {
  snapshot: S;
  entries: E[];
}

/** Reads a journal file; undefined when there is none. A torn last line (a kill mid-append) was never acknowledged. */
export function readJournal<S, E>(path: string): JournalContents<S, E> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const snapshot = JSON.parse(lines[0] ?? '') as S;
  const entries: E[] = [];
  lines.slice(1).forEach((line, i) => {
    try {
      entries.push(JSON.parse(line) as E);
    } catch (error) {
      if (i !== lines.length - 2) throw error;
    }
  });
  return { snapshot, entries };
}

/** Appends journal entries in one write, one JSON line each. */
export function appendJournal(path: string, entries: readonly unknown[]): void {
  if (entries.length) appendFileSync(path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** Replaces the file with one snapshot line, atomically. */
export function writeJournalSnapshot(path: string, snapshot: unknown): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(snapshot)}\n`);
  renameSync(`${path}.tmp`, path);
}

/**
 * The compaction rule: rewrite once the journal holds more than twice as many entries as there are
 * live items (plus slack, so a small state is not rewritten on every few changes). Replay time then
 * stays proportional to the state, and the file to a small multiple of it.
 */
export function journalOutgrows(entries: number, live: number): boolean {
  return entries > 2 * live + 1000;
}
