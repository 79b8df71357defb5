import fc from 'fast-check';
import { planRetention } from '../../../src/domain/retention';

const v = (name: string, extra: Partial<{ excludeFromLatest: boolean; endOfLifeDate: string }> = {}) => ({
  id: `/x/versions/${name}`,
  name,
  excludeFromLatest: false,
  ...extra,
});

describe('planRetention', () => {
  it('keeps the newest N, retires older ones still in use, deletes the rest', () => {
    const actions = planRetention(
      [v('1.0.0'), v('1.2.0'), v('1.10.0'), v('1.1.0')],
      ['/X/VERSIONS/1.1.0'],
      2,
    );
    expect(actions.map((a) => [a.kind, a.versionId.split('/').at(-1)])).toEqual([
      ['keep', '1.10.0'],
      ['keep', '1.2.0'],
      ['retire', '1.1.0'],
      ['delete', '1.0.0'],
    ]);
  });

  it('leaves versions still being created alone (another build is rolling them out)', () => {
    const actions = planRetention(
      [v('3.0.0'), { ...v('2.0.0'), provisioningState: 'Creating' }, v('1.0.0')],
      [],
      1,
    );
    expect(actions.map((a) => [a.kind, a.versionId.split('/').at(-1)])).toEqual([
      ['keep', '3.0.0'],
      ['keep', '2.0.0'],
      ['delete', '1.0.0'],
    ]);
  });

  it('counts a version excluded from latest as retired, whatever its end-of-life date', () => {
    const actions = planRetention(
      [
        v('2.0.0'),
        v('1.0.0', { excludeFromLatest: true }),
        v('0.9.0', { excludeFromLatest: true, endOfLifeDate: '2030-01-01T00:00:00Z' }),
      ],
      ['/x/versions/1.0.0', '/x/versions/0.9.0'],
      1,
    );
    expect(actions.slice(1).map((a) => [a.kind, a.versionId.split('/').at(-1)])).toEqual([
      ['keep', '1.0.0'],
      ['keep', '0.9.0'],
    ]);
  });

  it('does not retire a version twice', () => {
    const actions = planRetention(
      [v('2.0.0'), v('1.0.0', { excludeFromLatest: true, endOfLifeDate: '2026-01-01T00:00:00Z' })],
      ['/x/versions/1.0.0'],
      1,
    );
    expect(actions[1]).toEqual({ kind: 'keep', versionId: '/x/versions/1.0.0', reason: 'in-use' });
  });

  it('never deletes a version a pool uses, and always keeps the newest', () => {
    const versionArb = fc.uniqueArray(
      fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)).map(([a, b, c]) => `${a}.${b}.${c}`),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(versionArb, fc.nat(12), fc.integer({ min: 1, max: 5 }), (names, inUseSeed, keep) => {
        const versions = names.map((n) => v(n));
        const inUse = names.filter((_, i) => (inUseSeed >> i) % 2 === 1).map((n) => `/x/versions/${n}`);
        const actions = planRetention(versions, inUse, keep);
        expect(actions).toHaveLength(versions.length);
        for (const a of actions) if (a.kind === 'delete') expect(inUse).not.toContain(a.versionId);
        expect(actions.filter((a) => a.kind === 'keep' && a.reason === 'newest')).toHaveLength(
          Math.min(keep, versions.length),
        );
        expect(actions[0]!.kind).toBe('keep');
      }),
    );
  });
});
