import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Every request the simulator answered, so tests and benchmarks can count calls. */
export interface RecordedRequest {
  seq: number;
  service: 'arm' | 'batch' | 'control';
  kind: 'read' | 'write';
  method: string;
  path: string;
  status: number;
  /** The Batch account, for Batch calls. */
  account?: string;
  principal: string;
  simTime: string;
  realTimeMs: number;
  durationMs: number;
  fault?: string;
}

const LIMIT = 200_000;

/**
 * With a log file (a persisted local world), every request is appended as one JSON line before its
 * answer is written, and the log is read back at start: the record then spans restarts, so a caller
 * can count the writes a resource received across a crash. A line torn by a kill is skipped.
 */
export class RequestRecorder {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  constructor(private readonly logPath?: string) {
    if (!logPath || !existsSync(logPath)) return;
    const text = readFileSync(logPath, 'utf8');
    // Start the next record on a line of its own, past any torn tail.
    if (text && !text.endsWith('\n')) appendFileSync(logPath, '\n');
    for (const line of text.split('\n')) {
      try {
        if (line) this.entries.push(JSON.parse(line) as RecordedRequest);
      } catch {
        // the last line of a log cut short by kill -9
      }
    }
    this.seq = this.entries.at(-1)?.seq ?? 0;
    if (this.entries.length > LIMIT) {
      this.entries.splice(0, this.entries.length - LIMIT);
      writeFileSync(logPath, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    }
  }

  record(entry: Omit<RecordedRequest, 'seq'>): void {
    const recorded = { seq: ++this.seq, ...entry };
    this.entries.push(recorded);
    if (this.logPath) appendFileSync(this.logPath, `${JSON.stringify(recorded)}\n`);
    if (this.entries.length > LIMIT) this.entries.splice(0, this.entries.length - LIMIT);
  }

  /** Simulated time of the last request recorded (ISO), e.g. to resume a clock after a crash. */
  get lastSimTime(): string | undefined {
    return this.entries.at(-1)?.simTime;
  }

  since(seq = 0): RecordedRequest[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  get lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.entries = [];
    if (this.logPath) writeFileSync(this.logPath, '');
  }
}
