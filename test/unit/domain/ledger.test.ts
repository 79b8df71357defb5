import fc from 'fast-check';
import {
  emptyLedger,
  grantLease,
  leasedVersionIds,
  ledgerInstanceId,
  RETENTION_COALESCE_MS,
  retentionToRun,
} from '../../../src/domain/ledger';
import { planRetention } from '../../../src/domain/retention';
import { INSTANCE_ID_MAX } from '../../../src/domain/pipeline';

const DEF = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/render';
const NOW = new Date('2026-11-28T00:00:00Z');

describe('the definition ledger', () => {
  it('hands concurrent "auto" builds distinct versions, past existing and leased ones', () => {
    const ledger = emptyLedger(DEF);
    const existing = ['1.0.0', '1.0.7'];
    const got = Array.from({ length: 10 }, (_, i) =>
      grantLease(ledger, { from: `p${i}`, version: 'auto' }, existing),
    );
    const versions = got.map((g) => (g.ok ? g.version : g.reason));
    expect(new Set(versions).size).toBe(10);
    expect(versions[0]).toBe('1.0.8');
    expect(versions[9]).toBe('1.0.17');
  });

  it('gives a re-sent request the lease it already holds', () => {
    const ledger = emptyLedger(DEF);
    const first = grantLease(ledger, { from: 'p1', version: 'auto' }, []);
    expect(grantLease(ledger, { from: 'p1', version: 'auto' }, ['1.0.0'])).toEqual(first);
  });

  it('refuses an explicit version another running build holds, naming it and the fix', () => {
    const ledger = emptyLedger(DEF);
    expect(grantLease(ledger, { from: 'p1', version: '2.0.0' }, []).ok).toBe(true);
    const second = grantLease(ledger, { from: 'p2', version: '2.0.0' }, []);
    expect(second).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/2\.0\.0 is being built by p1.*"auto"/),
    });
  });

  it('never reuses an "auto" version it handed out, even once released and deleted', () => {
    const ledger = emptyLedger(DEF);
    grantLease(ledger, { from: 'p1', version: 'auto' }, ['1.0.0']);
    delete ledger.leases.p1;
    expect(grantLease(ledger, { from: 'p2', version: 'auto' }, ['1.0.0'])).toMatchObject({
      version: '1.0.2',
    });
  });

  it('has one bounded instance id per definition, whatever the case of the id', () => {
    expect(ledgerInstanceId(DEF)).toBe(
      ledgerInstanceId(DEF.toUpperCase().replace('SUBSCRIPTIONS', 'subscriptions')),
    );
    expect(ledgerInstanceId(`${DEF}${'x'.repeat(200)}`).length).toBeLessThanOrEqual(INSTANCE_ID_MAX);
  });

  it('retention never retires or deletes a leased version, whatever else holds', () => {
    const name = fc.tuple(fc.nat(3), fc.nat(3), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 15 }),
        fc.array(fc.nat(14)),
        fc.array(fc.nat(14)),
        fc.nat(4),
        (names, leasedIdx, usedIdx, keep) => {
          const versions = names.map((n) => ({
            id: `${DEF}/versions/${n}`,
            name: n,
            excludeFromLatest: false,
          }));
          const ledger = emptyLedger(DEF);
          leasedIdx.forEach((i, k) => {
            const v = versions[i % versions.length]!;
            ledger.leases[`p${k}`] = { version: v.name, versionId: v.id };
          });
          const used = usedIdx.map((i) => versions[i % versions.length]!.id);
          const leased = leasedVersionIds(ledger);
          for (const action of planRetention(versions, used, keep, leased))
            if (leased.includes(action.versionId)) expect(action.kind).toBe('keep');
        },
      ),
    );
  });

  it('puts retention off only while other builds are in flight and it ran lately; the last build runs it', () => {
    const ledger = emptyLedger(DEF);
    const a = {
      id: '/subscriptions/s/resourceGroups/b/providers/Microsoft.Batch/batchAccounts/a',
      endpoint: 'https://a',
      region: 'westeurope',
    };
    const b = { ...a, id: a.id.replace(/a$/, 'b') };
    const t0 = NOW.getTime();
    ledger.leases.p2 = { version: '1.0.2', versionId: `${DEF}/versions/1.0.2` };
    expect(retentionToRun(ledger, { keepVersions: 2, accounts: [a] }, t0)).toEqual({
      keepVersions: 2,
      accounts: [a],
    });
    // p2 still in flight and a run just happened: owed, not run.
    expect(retentionToRun(ledger, { keepVersions: 5, accounts: [b] }, t0 + 1000)).toBeUndefined();
    // Later than the coalescing window: runs what is owed, merged.
    expect(retentionToRun(ledger, undefined, t0 + RETENTION_COALESCE_MS + 1)).toEqual({
      keepVersions: 5,
      accounts: [b],
    });
    expect(
      retentionToRun(ledger, { keepVersions: 1, accounts: [a] }, t0 + RETENTION_COALESCE_MS + 2),
    ).toBeUndefined();
    // The last build out (no lease left) runs it at once, with everything owed.
    delete ledger.leases.p2;
    expect(
      retentionToRun(ledger, { keepVersions: 3, accounts: [b] }, t0 + RETENTION_COALESCE_MS + 3),
    ).toEqual({
      keepVersions: 3,
      accounts: [a, b],
    });
    expect(ledger.owedRetention).toBeUndefined();
  });

  it('"auto" is the patch after the newest existing version; an explicit version in flight is only stepped over', () => {
    const ledger = emptyLedger(DEF);
    expect(grantLease(ledger, { from: 'small', version: '1.4.0' }, [])).toMatchObject({ version: '1.4.0' });
    expect(grantLease(ledger, { from: 'global', version: 'auto' }, [])).toMatchObject({ version: '1.0.0' });
    expect(grantLease(ledger, { from: 'p3', version: '1.0.1' }, [])).toMatchObject({ version: '1.0.1' });
    expect(grantLease(ledger, { from: 'p4', version: 'auto' }, [])).toMatchObject({ version: '1.0.2' });
  });
});
