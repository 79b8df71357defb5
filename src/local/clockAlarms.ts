export interface Alarm {
  readonly simMs: number;
  readonly callback: () => void;
}

/**
 * A gated clock's pending alarms in firing order: by instant, then by registration (two timers due at
 * the same instant fire in the order they were set, as the engine's inbox orders them). A sorted array:
 * a world holds a handful (one engine timer, timer triggers, Event Grid retries), so inserts are cheap
 * and the earliest, read on every `nowMs`, is the first element.
 */
export class AlarmQueue {
  private readonly sorted: Alarm[] = [];

  get size(): number {
    return this.sorted.length;
  }

  add(simMs: number, callback: () => void): Alarm {
    const alarm: Alarm = { simMs, callback };
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.sorted[mid]!.simMs <= simMs) low = mid + 1;
      else high = mid;
    }
    this.sorted.splice(low, 0, alarm);
    return alarm;
  }

  /** False when the alarm already fired or was removed. */
  remove(alarm: Alarm): boolean {
    const index = this.sorted.indexOf(alarm);
    if (index < 0) return false;
    this.sorted.splice(index, 1);
    return true;
  }

  earliest(): Alarm | undefined {
    return this.sorted[0];
  }

  /** Takes the earliest alarm if it is due at `simMs`. */
  takeDue(simMs: number): Alarm | undefined {
    const first = this.sorted[0];
    if (!first || first.simMs > simMs) return undefined;
    this.sorted.shift();
    return first;
  }
}
