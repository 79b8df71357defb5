import {
  LAST_VERSION,
  nextPatchVersion,
  parseVersion,
  VersionRangeExhaustedError,
} from '../../../src/domain/version';
import { emptyLedger, grantLease } from '../../../src/domain/ledger';

const MAX = 2_147_483_647;

/** Issue #16: "auto" must stay a valid gallery version name (each part a 32-bit integer). */
describe('"auto" at the end of the 32-bit range', () => {
  it('carries a full patch into the minor, a full minor into the major', () => {
    expect(nextPatchVersion([`1.0.${MAX}`])).toBe('1.1.0');
    expect(nextPatchVersion([`1.${MAX}.${MAX}`])).toBe('2.0.0');
    expect(nextPatchVersion([`${MAX}.${MAX}.${MAX - 1}`])).toBe(LAST_VERSION);
    for (const v of [`1.0.${MAX}`, `1.${MAX}.${MAX}`])
      expect(parseVersion(nextPatchVersion([v]))).toBeDefined();
  });

  it('refuses with a finding naming image.version once the whole range is used', () => {
    expect(() => nextPatchVersion([LAST_VERSION])).toThrow(VersionRangeExhaustedError);
    expect(() => nextPatchVersion([LAST_VERSION])).toThrow(/No image version is left after .*32-bit/);
    try {
      nextPatchVersion([LAST_VERSION]);
    } catch (error) {
      expect(error).toMatchObject({
        kind: 'permanent',
        code: 'VersionRangeExhausted',
        target: 'image.version',
      });
    }
  });

  it('the ledger steps over a leased version across the carry', () => {
    const state = emptyLedger('/d');
    expect(grantLease(state, { from: 'a', version: 'auto' }, [`3.0.${MAX - 1}`])).toMatchObject({
      version: `3.0.${MAX}`,
    });
    expect(grantLease(state, { from: 'b', version: 'auto' }, [`3.0.${MAX - 1}`])).toMatchObject({
      version: '3.1.0',
    });
  });
});
