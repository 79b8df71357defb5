import { pacedAllocation, pacedInterval } from '../../../src/orchestrators/learnedPacing';

const MIN = 60_000;
const limits = { pollMinMs: MIN, longestMs: 3 * 60 * MIN };

describe('poll pacing from a learned expectation', () => {
  it('without one, keeps the built-in interval', () => {
    expect(pacedInterval(undefined, 0, 7 * MIN, limits)).toBe(7 * MIN);
    expect(pacedInterval({ startedAt: 0, expectedMs: 0 }, 0, 7 * MIN, limits)).toBe(7 * MIN);
  });

  it('reads first at the expected completion, however far (one read instead of a backoff’s many)', () => {
    expect(pacedInterval({ startedAt: 0, expectedMs: 95 * MIN }, 2 * MIN, 10 * MIN, limits)).toBe(93 * MIN);
  });

  it('never waits past the longest wait it is allowed (a stall must still be seen)', () => {
    expect(pacedInterval({ startedAt: 0, expectedMs: 9 * 60 * MIN }, 0, 10 * MIN, limits)).toBe(3 * 60 * MIN);
  });

  it('past the expectation, reads tight: a twentieth of the expected time, never looser than built-in', () => {
    const expectation = { startedAt: 0, expectedMs: 100 * MIN };
    expect(pacedInterval(expectation, 100 * MIN, 10 * MIN, limits)).toBe(5 * MIN);
    expect(pacedInterval(expectation, 101 * MIN, 2 * MIN, limits)).toBe(2 * MIN);
    // Short work: never below the poll minimum.
    expect(pacedInterval({ startedAt: 0, expectedMs: 4 * MIN }, 4 * MIN, 10 * MIN, limits)).toBe(MIN);
  });

  it('paces allocation from when the waiting began, within the pools’ deadline', () => {
    const input = { expected: { allocationMs: 33 * MIN }, settings: { pollMinMs: MIN, pollMaxMs: 10 * MIN } };
    expect(pacedAllocation(input, 0, 0, MIN, 120 * MIN)).toBe(33 * MIN);
    expect(pacedAllocation({ settings: input.settings }, 0, 0, MIN, 120 * MIN)).toBe(MIN);
  });
});
