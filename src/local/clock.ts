/**
 * The virtual clock shared by the simulator and the embedded host. Simulated time is a straight line
 * through an anchor: sim = anchorSim + (real - anchorReal) × speed. Changing the speed or jumping
 * ahead re-anchors the line, so time never runs backwards, and the anchor is all another process
 * needs to follow the same clock.
 */
export interface ClockAnchor {
  simMs: number;
  realMs: number;
  speed: number;
}

type Listener = () => void;

export class VirtualClock {
  private anchor: ClockAnchor;
  private readonly listeners = new Set<Listener>();

  constructor(
    options: { speed?: number; startSimMs?: number } = {},
    private readonly realNow: () => number = () => Date.now(),
  ) {
    const speed = options.speed ?? 1;
    if (!(speed > 0)) throw new Error(`clock speed must be > 0, got ${speed}`);
    this.anchor = { simMs: options.startSimMs ?? this.realNow(), realMs: this.realNow(), speed };
  }

  static fromAnchor(anchor: ClockAnchor, realNow?: () => number): VirtualClock {
    const clock = new VirtualClock({ speed: anchor.speed }, realNow);
    clock.anchor = { ...anchor };
    return clock;
  }

  get speed(): number {
    return this.anchor.speed;
  }

  nowMs(): number {
    return this.anchor.simMs + (this.realNow() - this.anchor.realMs) * this.anchor.speed;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  getAnchor(): ClockAnchor {
    return { ...this.anchor };
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new Error(`clock speed must be > 0, got ${speed}`);
    this.anchor = { simMs: this.nowMs(), realMs: this.realNow(), speed };
    this.changed();
  }

  /** Jump simulated time forward (tests, benchmarks). */
  advance(ms: number): void {
    if (ms < 0) throw new Error('the clock does not run backwards');
    this.anchor = { simMs: this.nowMs() + ms, realMs: this.realNow(), speed: this.anchor.speed };
    this.changed();
  }

  /** Real milliseconds until the simulated instant `simMs` (0 when it has passed). */
  realDelayUntil(simMs: number): number {
    return Math.max(0, (simMs - this.nowMs()) / this.anchor.speed);
  }

  /**
   * Calls `callback` once simulated time reaches `simMs`, also when the clock is sped up or advanced
   * in between. Returns a cancel function.
   */
  at(simMs: number, callback: () => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const arm = () => {
      if (done) return;
      if (timer) clearTimeout(timer);
      const delay = this.realDelayUntil(simMs);
      if (delay <= 0) {
        done = true;
        this.listeners.delete(arm);
        callback();
        return;
      }
      // setTimeout caps at ~24.8 days; re-arm in steps.
      timer = setTimeout(arm, Math.min(Math.ceil(delay), 2 ** 30));
      timer.unref?.();
    };
    this.listeners.add(arm);
    arm();
    return () => {
      done = true;
      if (timer) clearTimeout(timer);
      this.listeners.delete(arm);
    };
  }

  /** Resolves when simulated time reaches `simMs`. */
  until(simMs: number): Promise<void> {
    return new Promise((resolve) => this.at(simMs, resolve));
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
