import fc from 'fast-check';
import { planResizeTimeout, requiredResizeTimeoutMinutes } from '../../../src/domain/planning/resizeTimeout';
import { parseDurationMs } from '../../../src/domain/duration';

describe('resize timeout (15 minutes per 1000 VMs, at least 15)', () => {
  it('allows at least 15 minutes per 1000 nodes, never under 15, in whole 15-minute steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), (nodes) => {
        const minutes = requiredResizeTimeoutMinutes(nodes);
        expect(minutes).toBeGreaterThanOrEqual(15);
        expect(minutes * 1000).toBeGreaterThanOrEqual(nodes * 15);
        expect(minutes % 15).toBe(0);
        expect(parseDurationMs(planResizeTimeout(nodes, undefined, 'p').resizeTimeout)).toBe(
          minutes * 60_000,
        );
      }),
    );
  });

  it.each([
    [0, 'PT15M'],
    [1000, 'PT15M'],
    [1001, 'PT30M'],
    [2000, 'PT30M'],
    [3000, 'PT45M'],
    [10_000, 'PT2H30M'],
  ])('%i nodes → %s', (nodes, expected) =>
    expect(planResizeTimeout(nodes, undefined, 'p').resizeTimeout).toBe(expected),
  );

  it('keeps an override that meets the rule', () => {
    expect(planResizeTimeout(3000, 'PT1H', 'p')).toEqual({ resizeTimeout: 'PT1H', findings: [] });
  });

  it.each([
    ['PT30M', 3000, 'RESIZE_TIMEOUT_TOO_SHORT', /PT45M or more/],
    ['PT4M', 10, 'RESIZE_TIMEOUT_BELOW_BATCH_MINIMUM', /minimum of PT5M/],
    ['30 minutes', 10, 'RESIZE_TIMEOUT_INVALID', /not an ISO-8601 duration/],
  ])('finds override %s for %i nodes: %s', (override, nodes, code, message) => {
    const { findings, resizeTimeout } = planResizeTimeout(nodes, override, 'pools[0].resizeTimeout');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code, severity: 'error', path: 'pools[0].resizeTimeout' });
    expect(findings[0]!.message).toMatch(message);
    expect(resizeTimeout).toBe(planResizeTimeout(nodes, undefined, 'p').resizeTimeout);
  });
});
