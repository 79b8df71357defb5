import { ClockNotFollowableError, VirtualClock, type IdleSignal } from '../../../src/local/clock';

/** An engine stand-in whose idleness the test sets. */
class Signal implements IdleSignal {
  private readonly listeners = new Set<(idle: boolean) => void>();
  constructor(private now = true) {}
  get idle(): boolean {
    return this.now;
  }
  set(idle: boolean): void {
    this.now = idle;
    for (const l of [...this.listeners]) l(idle);
  }
  onIdleChange(listener: (idle: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);

beforeEach(() => jest.useFakeTimers({ now: START }));
afterEach(() => jest.useRealTimers());

describe("VirtualClock 'hold-while-busy'", () => {
  it('lets simulated time flow only while the engine is idle', () => {
    const engine = new Signal(false);
    const clock = new VirtualClock({ speed: 1000, startSimMs: 0, mode: 'hold-while-busy' });
    clock.follow(engine);
    jest.advanceTimersByTime(2000); // a 2 s stall while busy: 33 simulated minutes at 1000x
    expect(clock.nowMs()).toBe(0);
    engine.set(true);
    jest.advanceTimersByTime(2000);
    expect(clock.nowMs()).toBe(2_000_000);
    engine.set(false);
    jest.advanceTimersByTime(5000);
    expect(clock.nowMs()).toBe(2_000_000);
  });

  it('never runs past an alarm that has not fired: a stall while idle is not simulated time', () => {
    const engine = new Signal(true);
    const clock = new VirtualClock({ speed: 20_000, startSimMs: 0, mode: 'hold-while-busy' });
    clock.follow(engine);
    const seen: Array<[string, number]> = [];
    clock.at(HOUR, () => {
      seen.push(['poll', clock.nowMs()]);
      engine.set(false); // the timer's turn starts
    });
    clock.at(2 * HOUR, () => seen.push(['deadline', clock.nowMs()]));
    // The event loop blocked for 1 s (20 000 simulated seconds), past both alarms, before any timer ran.
    jest.setSystemTime(START + 1000);
    expect(clock.nowMs()).toBe(HOUR);
    // The fake timers keep their own time apart from the system time: let the poll's timer come due.
    jest.advanceTimersByTime(HOUR / 20_000);
    expect(seen).toEqual([['poll', HOUR]]);
    // The turn took long in real time: the deadline did not come closer.
    jest.advanceTimersByTime(3000);
    expect(clock.nowMs()).toBe(HOUR);
    engine.set(true);
    jest.advanceTimersByTime(HOUR / 20_000);
    expect(seen).toEqual([
      ['poll', HOUR],
      ['deadline', 2 * HOUR],
    ]);
  });

  it('stands still while held, whatever the engine says', () => {
    const clock = new VirtualClock({ speed: 1000, startSimMs: 0, mode: 'hold-while-busy' });
    clock.follow(new Signal(true));
    const release = clock.hold();
    jest.advanceTimersByTime(1000);
    expect(clock.nowMs()).toBe(0);
    release();
    jest.advanceTimersByTime(1000);
    expect(clock.nowMs()).toBe(1_000_000);
  });

  it('fires the alarms an advance passes in time order, each at its own instant', () => {
    const clock = new VirtualClock({ speed: 1, startSimMs: 0, mode: 'hold-while-busy' });
    const seen: number[] = [];
    clock.at(3 * HOUR, () => seen.push(clock.nowMs()));
    clock.at(HOUR, () => seen.push(clock.nowMs()));
    clock.advance(5 * HOUR);
    expect(seen).toEqual([HOUR, 3 * HOUR]);
    expect(clock.nowMs()).toBe(5 * HOUR);
  });

  it('refuses to gate a free clock', () => {
    expect(() => new VirtualClock({ speed: 1 }).follow(new Signal())).toThrow(/gated mode/);
  });
});

describe("VirtualClock 'jump-when-idle'", () => {
  it('jumps to the earliest alarm as soon as the engine is idle, spending no real time', () => {
    const engine = new Signal(false);
    const clock = new VirtualClock({ speed: 2000, startSimMs: 0, mode: 'jump-when-idle' });
    clock.follow(engine);
    const seen: Array<[string, number, number]> = [];
    const fired = (name: string) => () => {
      seen.push([name, clock.nowMs(), Date.now() - START]);
      engine.set(false);
    };
    clock.at(3 * HOUR, fired('late'));
    clock.at(HOUR, fired('early'));
    jest.advanceTimersByTime(0);
    expect(seen).toEqual([]); // busy: no jump
    engine.set(true);
    jest.advanceTimersByTime(0);
    expect(seen).toEqual([['early', HOUR, 0]]);
    engine.set(true);
    jest.advanceTimersByTime(0);
    expect(seen).toEqual([
      ['early', HOUR, 0],
      ['late', 3 * HOUR, 0],
    ]);
  });

  it('does not jump while held, and flows at its speed when no alarm is pending', () => {
    const engine = new Signal(true);
    const clock = new VirtualClock({ speed: 2000, startSimMs: 0, mode: 'jump-when-idle' });
    clock.follow(engine);
    const release = clock.hold();
    let fired = false;
    clock.at(HOUR, () => (fired = true));
    jest.advanceTimersByTime(10);
    expect(fired).toBe(false);
    expect(clock.nowMs()).toBe(0);
    release();
    jest.advanceTimersByTime(0);
    expect(fired).toBe(true);
    expect(clock.nowMs()).toBe(HOUR);
    jest.advanceTimersByTime(1000);
    expect(clock.nowMs()).toBe(HOUR + 2_000_000);
  });
});

describe('a gated clock and other processes', () => {
  it.each(['hold-while-busy', 'jump-when-idle'] as const)(
    "refuses to give a '%s' clock's anchor, naming 'free' as the fix",
    (mode) => {
      const clock = new VirtualClock({ speed: 1000, startSimMs: 0, mode });
      expect(clock.followable).toBe(false);
      expect(() => clock.getAnchor()).toThrow(ClockNotFollowableError);
      expect(() => clock.getAnchor()).toThrow(/cannot be followed by another process.*'free'/);
    },
  );

  it("gives a 'free' clock's anchor, and holding it does nothing", () => {
    const clock = new VirtualClock({ speed: 1000, startSimMs: 0 });
    expect(clock.followable).toBe(true);
    const release = clock.hold();
    jest.advanceTimersByTime(1000);
    expect(clock.nowMs()).toBe(1_000_000);
    release();
    expect(clock.getAnchor()).toEqual({ simMs: 0, realMs: START, speed: 1000 });
  });
});
