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

export class RequestRecorder {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  record(entry: Omit<RecordedRequest, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > LIMIT) this.entries.splice(0, this.entries.length - LIMIT);
  }

  since(seq = 0): RecordedRequest[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  get lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.entries = [];
  }
}
