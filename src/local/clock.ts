import { AlarmQueue } from './clockAlarms';

/**
 * The virtual clock shared by the simulator and the embedded host. Simulated time is a straight line
 * through an anchor: sim = anchorSim + (real - anchorReal) × speed. Changing the speed or jumping
 * ahead re-anchors the line, so time never runs backwards, and the anchor is all another process
 * needs to follow the same clock.
 *
 * A clock can also be gated by the durable engine (`follow`), so that host load never turns into
 * simulated time: a CPU stall of 300 ms at 20 000× would otherwise be 100 simulated minutes, enough for a
 * pipeline to miss its own deadlines. Gated modes are for one process (tests, benchmarks); a clock
 * another process follows by its anchor must stay 'free'.
 * - 'free': the straight line above, whatever the engine does.
 * - 'hold-while-busy': time flows at `speed` only while the engine is idle, and never runs past an
 *   alarm (`at`) that has not fired yet, so the engine sees every timer at its own instant.
 * - 'jump-when-idle': as 'hold-while-busy', and when the engine goes idle time jumps straight to the
 *   earliest alarm (discrete-event time): no real time is spent waiting for simulated time.
 */
export interface ClockAnchor {
  simMs: number;
  realMs: number;
  speed: number;
}

export type ClockMode = 'free' | 'hold-while-busy' | 'jump-when-idle';

/** Whether the work that gates the clock is idle, and a way to hear when that changes. */
export interface IdleSignal {
  readonly idle: boolean;
  /** Returns a function that stops listening. */
  onIdleChange(listener: (idle: boolean) => void): () => void;
}

type Listener = () => void;

/**
 * Thrown when a gated clock is asked for its anchor: its time stands still whenever the engine or a
 * hold says so, which no straight line (anchor + speed) can tell another process.
 */
export class ClockNotFollowableError extends Error {
  constructor(readonly mode: ClockMode) {
    super(
      `a '${mode}' clock cannot be followed by another process: its time stops while its own engine is busy, ` +
        `so a follower would run ahead. Start the world with clockMode 'free' when another process follows its clock.`,
    );
  }
}

export class VirtualClock {
  private anchor: ClockAnchor;
  private readonly listeners = new Set<Listener>();
  readonly mode: ClockMode;
  private signal?: IdleSignal;
  private unfollow?: () => void;
  private holds = 0;
  /** Gated modes only: time stands still (engine busy or held). */
  private frozen = false;
  private readonly alarms = new AlarmQueue();
  private alarmTimer?: NodeJS.Timeout;
  private jumpQueued = false;

  constructor(
    options: { speed?: number; startSimMs?: number; mode?: ClockMode } = {},
    private readonly realNow: () => number = () => Date.now(),
  ) {
    const speed = options.speed ?? 1;
    if (!(speed > 0)) throw new Error(`clock speed must be > 0, got ${speed}`);
    this.mode = options.mode ?? 'free';
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

  private get gated(): boolean {
    return this.mode !== 'free';
  }

  nowMs(): number {
    if (!this.gated) return this.lineMs();
    // Never past an alarm that has not fired: its callback runs at its own instant.
    return Math.min(this.lineMs(), this.alarms.earliest()?.simMs ?? Infinity);
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Whether another process can follow this clock by its anchor: only a 'free' clock. */
  get followable(): boolean {
    return !this.gated;
  }

  /** The line another process follows; a gated clock has none (ClockNotFollowableError). */
  getAnchor(): ClockAnchor {
    if (this.gated) throw new ClockNotFollowableError(this.mode);
    return { ...this.anchor };
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new Error(`clock speed must be > 0, got ${speed}`);
    this.anchor = { simMs: this.nowMs(), realMs: this.realNow(), speed };
    this.changed();
  }

  /** Jump simulated time forward (tests, benchmarks). Alarms passed on the way fire in time order. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('the clock does not run backwards');
    const target = this.nowMs() + ms;
    if (this.gated) {
      for (let due = this.alarms.takeDue(target); due; due = this.alarms.takeDue(target)) {
        this.reanchor(due.simMs);
        due.callback();
      }
    }
    this.reanchor(target);
    this.changed();
  }

  /** Real milliseconds until the simulated instant `simMs` (0 when it has passed; Infinity while held). */
  realDelayUntil(simMs: number): number {
    if (this.frozen && simMs > this.nowMs()) return Infinity;
    return Math.max(0, (simMs - this.nowMs()) / this.anchor.speed);
  }

  /**
   * Calls `callback` once simulated time reaches `simMs`, also when the clock is sped up or advanced
   * in between. Returns a cancel function.
   */
  at(simMs: number, callback: () => void): () => void {
    if (this.gated) return this.gatedAt(simMs, callback);
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

  /**
   * Gates a 'hold-while-busy' or 'jump-when-idle' clock by `signal` (the durable engine). Returns a
   * function that stops following it.
   */
  follow(signal: IdleSignal): () => void {
    if (!this.gated) throw new Error("a 'free' clock follows no engine: create it with a gated mode");
    this.unfollow?.();
    this.signal = signal;
    const stop = signal.onIdleChange(() => this.regate());
    this.unfollow = () => {
      stop();
      if (this.signal === signal) this.signal = undefined;
      this.unfollow = undefined;
      this.regate();
    };
    this.regate();
    return this.unfollow;
  }

  /**
   * Stops a gated clock until the returned release is called: for work the engine cannot see, such as
   * an Event Grid delivery, a trigger's function or a benchmark's submissions still in flight. Holds
   * count: time moves again when every one is released. A 'free' clock is never held (its line is
   * what other processes follow), so there it returns a release that does nothing.
   */
  hold(): () => void {
    if (!this.gated) return () => undefined;
    this.holds += 1;
    this.regate();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.regate();
    };
  }

  private lineMs(): number {
    if (this.frozen) return this.anchor.simMs;
    return this.anchor.simMs + (this.realNow() - this.anchor.realMs) * this.anchor.speed;
  }

  private reanchor(simMs: number): void {
    this.anchor = { simMs, realMs: this.realNow(), speed: this.anchor.speed };
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
    if (this.gated) this.schedule();
  }

  // ---- gated modes ------------------------------------------------------------------------------

  private gatedAt(simMs: number, callback: () => void): () => void {
    if (simMs <= this.nowMs()) {
      callback();
      return () => undefined;
    }
    const alarm = this.alarms.add(simMs, callback);
    this.schedule();
    return () => {
      if (this.alarms.remove(alarm)) this.schedule();
    };
  }

  /** Freezes or thaws time after the engine or a hold changed. */
  private regate(): void {
    const frozen = this.holds > 0 || (this.signal !== undefined && !this.signal.idle);
    if (frozen === this.frozen) return;
    // Re-anchored at the instant it changes, so time continues from where it stood.
    this.reanchor(this.nowMs());
    this.frozen = frozen;
    this.schedule();
  }

  /** One real timer, for the earliest alarm; in 'jump-when-idle', a jump to it instead. */
  private schedule(): void {
    if (this.alarmTimer) clearTimeout(this.alarmTimer);
    this.alarmTimer = undefined;
    const next = this.alarms.earliest();
    if (!next || this.frozen) return;
    if (this.mode === 'jump-when-idle') return this.queueJump();
    const delay = (next.simMs - this.lineMs()) / this.anchor.speed;
    this.alarmTimer = setTimeout(() => this.fireDue(), Math.min(Math.max(0, Math.ceil(delay)), 2 ** 30));
    this.alarmTimer.unref();
  }

  /**
   * On the next turn of the event loop, so that work started in the same tick (an activity's result
   * being committed) shows up as busy first.
   */
  private queueJump(): void {
    if (this.jumpQueued) return;
    this.jumpQueued = true;
    setImmediate(() => {
      this.jumpQueued = false;
      const next = this.alarms.earliest();
      if (!next || this.frozen) return;
      if (next.simMs > this.lineMs()) this.reanchor(next.simMs);
      this.fireDue();
    });
  }

  /** Fires the alarms time has reached, in time order, each at its own instant, until one makes work. */
  private fireDue(): void {
    for (;;) {
      const due = this.frozen ? undefined : this.alarms.takeDue(this.lineMs());
      if (!due) break;
      // The time the line ran past the alarm (a late timer, a stall) is not simulated time.
      this.reanchor(due.simMs);
      due.callback();
    }
    this.schedule();
  }
}
