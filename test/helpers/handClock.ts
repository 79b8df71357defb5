import type { EngineClock } from '../../src/local/host/durable/engine';

/** A clock the test moves by hand, so a timer and an event can become visible in the same instant. */
export class HandClock implements EngineClock {
  private now = Date.parse('2026-01-01T00:00:00Z');
  private readonly alarms: { ms: number; callback: () => void }[] = [];
  nowMs(): number {
    return this.now;
  }
  at(ms: number, callback: () => void): () => void {
    const alarm = { ms, callback };
    this.alarms.push(alarm);
    return () => {
      const at = this.alarms.indexOf(alarm);
      if (at >= 0) this.alarms.splice(at, 1);
    };
  }
  set(ms: number): void {
    this.now = ms;
    for (const alarm of this.alarms.filter((a) => a.ms <= ms)) alarm.callback();
  }
}
