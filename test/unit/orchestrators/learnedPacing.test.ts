import { pacedAllocation, pacedInterval } from '../../../src/orchestrators/learnedPacing';

const MIN = 60_000;
const limits = { pollMinMs: MIN, longestMs: 3 * 60 * MIN };

describe('poll pacing from a learned expectation', () => {
  it('without one, keeps the built-in interval', () => {
    expect(pacedInterval(undefined, 0, 7 * MIN, limits)).toBe(7 * MIN);
    expect(pacedInterval({ startedAt: 0, expectedMs: 0 }, 0, 7 * MIN, limits)).toBe(7 * MIN);
  });

  it('reads first just before the expected completion, however far (one read instead of a backoff’s many)', () => {
    // 85 % of the 100 minutes expected, 2 minutes in.
    expect(pacedInterval({ startedAt: 0, expectedMs: 100 * MIN }, 2 * MIN, 10 * MIN, limits)).toBe(83 * MIN);
  });

  it('never waits past the longest wait it is allowed (a stall must still be seen)', () => {
    expect(pacedInterval({ startedAt: 0, expectedMs: 9 * 60 * MIN }, 0, 10 * MIN, limits)).toBe(3 * 60 * MIN);
  });

  it('past the expectation, reads tight: a twentieth of the expected time, never looser than built-in', () => {
    const expectation = { startedAt: 0, expectedMs: 100 * MIN };
    expect(pacedInterval(expectation, 85 * MIN, 10 * MIN, limits)).toBe(5 * MIN);
    expect(pacedInterval(expectation, 101 * MIN, 2 * MIN, limits)).toBe(2 * MIN);
    // Short work: never below the poll minimum.
    expect(pacedInterval({ startedAt: 0, expectedMs: 4 * MIN }, 4 * MIN, 10 * MIN, limits)).toBe(MIN);
    // Less than the poll minimum before the aim: tight already.
    expect(pacedInterval(expectation, 84.5 * MIN, 10 * MIN, limits)).toBe(5 * MIN);
  });

  it('paces allocation from when the waiting began, within the pools’ deadline', () => {
    const input = { expected: { allocationMs: 33 * MIN }, settings: { pollMinMs: MIN, pollMaxMs: 10 * MIN } };
    expect(pacedAllocation(input, 0, 0, MIN, 120 * MIN)).toBe(0.85 * 33 * MIN);
    expect(pacedAllocation({ settings: input.settings }, 0, 0, MIN, 120 * MIN)).toBe(MIN);
  });
});
