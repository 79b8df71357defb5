import fc from 'fast-check';
import { formatMinutes, parseDurationMs } from '../../../src/domain/duration';
import { compareVersions, nextPatchVersion, parseVersion } from '../../../src/domain/version';

describe('ISO-8601 durations', () => {
  it.each([
    ['PT15M', 15 * 60_000],
    ['PT1H30M', 90 * 60_000],
    ['P1DT2H', 26 * 3_600_000],
    ['PT45S', 45_000],
    ['P1W', 7 * 86_400_000],
  ])('parses %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'P', 'PT', '15M', 'P1Y', 'PT-5M', 'P1M'])('refuses %p', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );

  it('formats whole minutes so they parse back to the same length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        (m) => parseDurationMs(formatMinutes(m)) === m * 60_000,
      ),
    );
  });

  it('writes the shortest form', () => {
    expect(formatMinutes(45)).toBe('PT45M');
    expect(formatMinutes(90)).toBe('PT1H30M');
    expect(formatMinutes(1440)).toBe('P1D');
    expect(formatMinutes(0)).toBe('PT0M');
  });
});

describe('gallery image versions', () => {
  it('parses major.minor.patch and refuses the rest', () => {
    expect(parseVersion('1.4.0')).toEqual([1, 4, 0]);
    expect(parseVersion('01.4.0')).toBeUndefined();
    expect(parseVersion('1.4')).toBeUndefined();
    expect(parseVersion('1.4.99999999999')).toBeUndefined();
  });

  it('resolves "auto" to the next patch after the newest version', () => {
    expect(nextPatchVersion([])).toBe('1.0.0');
    expect(nextPatchVersion(['1.2.9', '1.10.0', '1.9.5', 'junk'])).toBe('1.10.1');
  });

  it('orders numerically, not as text', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), (a, b, c) => {
        expect(compareVersions(`${a}.${b}.${c}`, `${a}.${b}.${c + 1}`)).toBeLessThan(0);
        expect(compareVersions(`${a}.${b + 1}.0`, `${a}.${b}.${c}`)).toBeGreaterThan(0);
      }),
    );
  });
});

import { intervalFromProgress, nextInterval } from '../../../src/orchestrators/steps';

describe('poll pacing', () => {
  it('backs off while nothing changes and resets when something does', () => {
    expect(nextInterval(60_000, false, 60_000, 600_000)).toBe(90_000);
    expect(nextInterval(500_000, false, 60_000, 600_000)).toBe(600_000);
    expect(nextInterval(500_000, true, 60_000, 600_000)).toBe(60_000);
  });

  it('waits a third of the expected remaining time, within the bounds', () => {
    // 25% after 30 minutes → 90 minutes left → wait 30 (capped at 10).
    expect(intervalFromProgress(25, 30 * 60_000, 1, 60_000, 600_000)).toBe(600_000);
    // 90% after 45 minutes → 5 minutes left → wait 100 s.
    expect(intervalFromProgress(90, 45 * 60_000, 1, 60_000, 600_000)).toBe(100_000);
    expect(intervalFromProgress(99, 60 * 60_000, 1, 60_000, 600_000)).toBe(60_000);
    expect(intervalFromProgress(0, 60_000, 12_345, 60_000, 600_000)).toBe(12_345);
  });
});
